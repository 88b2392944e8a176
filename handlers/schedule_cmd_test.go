package handlers_test

import (
	"testing"

	"github.com/plpbot/plpbot/bot"
)

func TestScheduleShowAndSet(t *testing.T) {
	e := newEnv(t) // Wed 25 Nov 2026, 15:00 UTC
	e.setupClass("sam")

	out := e.ok("ms-lee", "schedule")
	mustContain(t, out, "Schedules for Period 3", "Reflection prompts", "0 14 * * FRI", "default",
		"Fri 27 Nov 2026, 14:00 UTC", "Class summaries", "Fri 27 Nov 2026, 15:00 UTC")

	out = e.ok("ms-lee", `schedule reflections "30 8 * * MON"`)
	mustContain(t, out, "Reflection prompts for Period 3", "30 8 * * MON", "Mon 30 Nov 2026, 08:30 UTC")
	out = e.ok("ms-lee", "schedule class:Period 3")
	mustContain(t, out, "30 8 * * MON", "set for this class", "Mon 30 Nov 2026, 08:30 UTC · Mon 7 Dec 2026, 08:30 UTC")

	out = e.ok("ms-lee", `schedule summaries "CRON_TZ=America/New_York 0 9 * * TUE"`)
	mustContain(t, out, "Class summaries for Period 3", "Tue 1 Dec 2026, 14:00 UTC")
}

func TestScheduleRefusals(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	tests := []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		{"students can't", "sam", "schedule", bot.EForbidden, "for staff"},
		{"not a cron", "ms-lee", `schedule reflections "every friday"`, bot.EInvalid, "schedule"},
		{"never runs", "ms-lee", `schedule reflections "0 14 30 2 *"`, bot.EInvalid, "never runs"},
		{"unknown class", "ms-lee", "schedule class:Nope", bot.ENotFound, "can't find a class"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustContain(t, e.fails(tt.who, tt.line, tt.code), tt.want)
		})
	}
}
