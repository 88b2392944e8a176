package slack

import "github.com/plpbot/plpbot/bot"

var (
	_ bot.DMAdvisor = (*Adapter)(nil)
	_ bot.Mentioner = (*Adapter)(nil)
)

// AllowDMsHint implements bot.DMAdvisor: the app's Messages tab opens the
// conversation with the bot, and a message there is a DM, which proves DMs
// work and clears the person's can't-DM mark.
func (a *Adapter) AllowDMsHint() string {
	return "To get reminders from me, open plpbot's Messages tab in Slack and send me a quick hi."
}

// Mention implements bot.Mentioner: <@U123>, which the command parser reads
// back as that person.
func (a *Adapter) Mention(id bot.Identity) string { return "<@" + id.UserID + ">" }
