// Package plpbot is the domain of a Personalized Learning Plan: the model
// (people, classes, goals, steps, check-ins, reflections, conferences,
// feedback, flags), the limits on what people type, the pure rules of a plan
// (streak, progress, needs-attention, away, next step, recurrence, cron
// schedules) and the access policy that says who may see or change what.
//
// It does no I/O and imports no package of ours and no database, chat or
// cron library, so every other package asks the same question the same way:
// storage persists these types, handlers and the scheduler apply these rules,
// and adapters render what the rules decided.
package plpbot
