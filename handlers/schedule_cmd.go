package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// scheduleKind is one of a class's schedules.
type scheduleKind struct{ kind, label, def string }

// scheduleKinds are the schedules of a class, in display order, with the
// configured defaults.
func (h *Handlers) scheduleKinds() []scheduleKind {
	return []scheduleKind{
		{"reflections", "Reflection prompts", h.reflectionsCron},
		{"summaries", "Class summaries", h.summariesCron},
	}
}

// cmdScheduleShow shows a class's schedules and their next run times in the
// asker's local time.
func (h *Handlers) cmdScheduleShow(ctx context.Context, c *call) ([]bot.Message, error) {
	cl, err := h.pickClass(ctx, c, c.Invocation.Arg("class"), func(n string) string { return "/plp schedule class:" + n })
	if err != nil {
		return nil, err
	}
	zone := h.classZone(cl)
	loc := h.loc(c.Actor)
	now := h.now()
	var blocks []bot.Block
	for _, k := range h.scheduleKinds() {
		spec, custom := classCron(cl, k.kind), true
		if spec == "" {
			spec, custom = k.def, false
		}
		runs, err := nextRuns(spec, zone, now, 2)
		if err != nil {
			// A cron that no longer parses falls back to the default in the scheduler.
			spec, custom = k.def, false
			if runs, err = nextRuns(spec, zone, now, 2); err != nil {
				return nil, fmt.Errorf("schedule show: %w", err)
			}
		}
		which := "default"
		if custom {
			which = "set for this class"
		}
		next := make([]string, len(runs))
		for i, r := range runs {
			next[i] = formatWhen(r, loc)
		}
		fields := []bot.Field{
			{Label: "Cron (" + which + ")", Value: "`" + bot.User(spec) + "`"},
			{Label: "Next", Value: strings.Join(next, " · ")},
		}
		blocks = append(blocks, bot.Text{Text: bot.Bold(k.label)}, bot.Fields{Fields: fields})
		if k.kind == "summaries" && cl.ChannelID == "" {
			blocks = append(blocks, bot.Context{Text: "No channel is linked to this class, so summaries are skipped. Create the class in its channel to link one."})
		}
	}
	blocks = append(blocks, bot.Context{Text: fmt.Sprintf("Times run in the class's zone (%s); prompts due in quiet hours, on a day off or a holiday wait for the next school-day morning. Change one with `/plp schedule reflections \"0 14 * * FRI\"`.", zone)})
	return []bot.Message{reply("Schedules for "+bot.User(cl.Name), blocks...)}, nil
}

// cmdScheduleReflections sets when a class's students get reflection prompts.
func (h *Handlers) cmdScheduleReflections(ctx context.Context, c *call) ([]bot.Message, error) {
	return h.setSchedule(ctx, c, "reflections", "Reflection prompts")
}

// cmdScheduleSummaries sets when a class's channel gets its summary.
func (h *Handlers) cmdScheduleSummaries(ctx context.Context, c *call) ([]bot.Message, error) {
	return h.setSchedule(ctx, c, "summaries", "Class summaries")
}

func (h *Handlers) setSchedule(ctx context.Context, c *call, kind, label string) ([]bot.Message, error) {
	spec := strings.TrimSpace(c.Invocation.Arg("when"))
	cl, err := h.pickClass(ctx, c, c.Invocation.Arg("class"), func(n string) string {
		return "/plp schedule " + kind + " \"" + spec + "\" class:" + n
	})
	if err != nil {
		return nil, err
	}
	zone := h.classZone(cl)
	runs, err := nextRuns(spec, zone, h.now(), 1)
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, &bot.UserError{Code: bot.EInvalid, Field: "when",
			Message: "That schedule never runs: " + bot.User(spec) + ".",
			Usage:   "/plp schedule " + kind + " \"0 14 * * FRI\""}
	}
	if _, err := h.store.SetClassSchedule(ctx, cl.ID, kind, spec); err != nil {
		return nil, fmt.Errorf("set %s schedule: %w", kind, err)
	}
	return []bot.Message{reply("",
		bot.Text{Text: fmt.Sprintf("%s for %s: `%s`. Next: %s.", label, bot.Bold(bot.User(cl.Name)), bot.User(spec), formatWhen(runs[0], h.loc(c.Actor)))},
		bot.Context{Text: "See every schedule with `/plp schedule`."},
	)}, nil
}

// classCron returns a class's own cron for kind, "" if it uses the default.
func classCron(cl *plpbot.Class, kind string) string {
	if kind == "summaries" {
		return cl.Summaries
	}
	return cl.Reflections
}

// classZone is the zone a class's schedules run in.
func (h *Handlers) classZone(cl *plpbot.Class) *time.Location {
	if cl.TimeZone != "" {
		if l, err := time.LoadLocation(cl.TimeZone); err == nil {
			return l
		}
	}
	return h.zone
}

// nextRuns returns the next n runs of a cron spec after t in zone (or its
// CRON_TZ=), as the scheduler runs them (plpbot.Schedule).
func nextRuns(spec string, zone *time.Location, after time.Time, n int) ([]time.Time, error) {
	sched, err := plpbot.ParseSchedule(spec, zone)
	if err != nil {
		return nil, err
	}
	return sched.NextN(after, n), nil
}
