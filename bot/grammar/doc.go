// Package grammar is plpbot's command language: the one command table
// (Grammar, Command, Arg) and everything read from it. It parses a command
// line into a bot.Invocation (Parse, IsCommand), binds structured input such
// as Discord options or a form's fields to the same validated form (Bind),
// writes usage lines and help (Usage, Help), suggests the nearest name for a
// typo (Nearest) and builds the form that collects a command's arguments
// (FormFor).
//
// It owns what people may type — argument kinds, their validation and the
// friendly *bot.UserError for each mistake — and nothing else: the words it
// speaks in (Invocation, Message, Form, UserError) belong to package bot,
// and the limits on text to the domain package plpbot.
package grammar
