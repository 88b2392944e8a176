// Package bot is plpbot's platform-neutral vocabulary: who asked what and
// where (Request, Invocation), what a person sees (Message and its blocks,
// buttons and forms, written in the inline markup of Format), how requests
// are answered (Handler) and how the bot reaches people on its own (Sender).
// What only some adapters can do is an optional capability: a small
// interface checked by type assertion (Reacher, DMAdvisor, Mentioner).
//
// Adapters (bot/console, bot/slack, bot/discord) turn a platform's protocol
// into Requests and render Messages natively; handlers never see a platform
// type. The command language itself — the one command table, its parser,
// help and forms — lives in bot/grammar, so every adapter parses, validates
// and documents commands the same way.
package bot
