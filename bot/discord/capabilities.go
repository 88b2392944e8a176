package discord

import "github.com/plpbot/plpbot/bot"

var (
	_ bot.DMAdvisor = (*Adapter)(nil)
	_ bot.Mentioner = (*Adapter)(nil)
)

// AllowDMsHint implements bot.DMAdvisor: Discord lets each person block DMs
// from a server's members, the bot included (error 50007), per server.
func (a *Adapter) AllowDMsHint() string {
	return "To get reminders from me, allow DMs: tap the server name → Privacy Settings → turn on Direct Messages. Then send me a quick hi."
}

// Mention implements bot.Mentioner: <@123>, which the command parser reads
// back as that person.
func (a *Adapter) Mention(id bot.Identity) string { return "<@" + id.UserID + ">" }
