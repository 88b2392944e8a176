// Package bot is plpbot's platform-neutral vocabulary: who asked what and
// where (Request), what a person sees (Message), how commands are handled
// (Handler) and how the bot reaches people on its own (Sender). What only
// some adapters can do is an optional capability: a small interface checked
// by type assertion (Reacher, DMAdvisor, Mentioner).
//
// Adapters (bot/console, bot/slack, bot/discord) turn a platform's protocol
// into Requests and render Messages natively; handlers never see a platform
// type. The command grammar (Grammar) is data, defined once, so every adapter
// parses, validates and documents commands the same way.
package bot
