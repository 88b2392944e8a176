package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/scheduler"
	"github.com/plpbot/plpbot/storage"
)

// at is a time in New York in 2026.
func at(m time.Month, day, h, min int) time.Time { return time.Date(2026, m, day, h, min, 0, 0, ny) }

// monday is the start of most tests: Mon 2 Mar 2026, 09:00 New York.
var monday = at(3, 2, 9, 0)

func labels(bs []bot.Button) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Label
	}
	return out
}

func TestReflectionPromptsAndOneFollowup(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	ana := e.user("Ana Diaz", "America/New_York", plpbot.RoleStudent)
	ben := e.user("Ben", "America/New_York", plpbot.RoleStudent)
	cal := e.user("Cal", "America/Los_Angeles", plpbot.RoleStudent)
	if _, err := e.store.AddGoal(e.ctx, plpbot.Goal{UserID: ana.ID, Title: "Read three novels"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetAway(e.ctx, ben.ID, at(3, 10, 0, 0), "trip"); err != nil {
		t.Fatal(err)
	}
	e.class("English", teacher, "America/New_York", "", "", ana, ben, cal)

	e.advanceTo(at(3, 6, 14, 30))
	prompts := e.fake.DMs("Reflection time")
	if got := perRecipient(prompts); len(got) != 2 || got["ana diaz"] != 1 || got["cal"] != 1 {
		t.Fatalf("prompts by recipient = %v, want one each for ana diaz and cal (ben is away)", got)
	}
	for _, p := range prompts {
		if !p.At.Equal(at(3, 6, 14, 0)) {
			t.Errorf("prompt to %s at %s, want Fri 14:00", p.To, p.At.In(ny))
		}
	}
	var anaMsg bot.Message
	for _, p := range prompts {
		if p.To == "ana diaz" {
			anaMsg = p.Msg
		}
	}
	if txt := anaMsg.PlainText(); !strings.Contains(txt, "Read three novels") {
		t.Errorf("prompt doesn't name the active goal:\n%s", txt)
	}
	if got := strings.Join(labels(anaMsg.Buttons), ","); got != "Reflect,Check in,Snooze" {
		t.Errorf("buttons = %s", got)
	}
	if f := anaMsg.Buttons[1].Form; f == nil || f.Command != "checkin" || f.Fixed["n"] != "1" {
		t.Errorf("Check in form = %+v, want checkin with n=1", f)
	}
	if f := anaMsg.Buttons[0].Form; f == nil || f.Command != "reflect" {
		t.Errorf("Reflect form = %+v", f)
	}
	if c := anaMsg.Buttons[2].Command; c != "snooze" { // the prompt only: never "away" (TestSnoozeMovesThePromptOnly)
		t.Errorf("Snooze command = %q", c)
	}

	// Ana answers; Cal doesn't. The follow-up waits for Monday morning (weekend).
	p, err := e.store.OpenPrompt(e.ctx, ana.ID, e.clock.Now())
	if err != nil {
		t.Fatalf("OpenPrompt(ana): %v", err)
	}
	if err := e.store.AnswerPrompt(e.ctx, p.ID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.advanceTo(at(3, 12, 12, 0))
	follow := e.fake.DMs("Still there")
	if len(follow) != 1 || follow[0].To != "cal" {
		t.Fatalf("follow-ups = %+v, want one to cal", follow)
	}
	if want := time.Date(2026, 3, 9, 7, 0, 0, 0, mustZone("America/Los_Angeles")); !follow[0].At.Equal(want) {
		t.Errorf("follow-up at %s, want Mon 07:00 in Cal's zone", follow[0].At.In(ny))
	}

	// Next Friday: Ben is back; still only one follow-up for the first prompt.
	e.advanceTo(at(3, 13, 15, 0))
	if got := perRecipient(e.fake.DMs("Reflection time")); got["ben"] != 1 || got["ana diaz"] != 2 || got["cal"] != 2 {
		t.Errorf("prompts after two Fridays = %v", got)
	}
	if n := len(e.fake.DMs("Still there")); n != 1 {
		t.Errorf("follow-ups = %d, want 1", n)
	}
}

func TestQuietHoursWeekendsAndHolidays(t *testing.T) {
	tests := []struct {
		name     string
		cron     string
		zone     string // the student's
		holidays []string
		until    time.Time
		want     []time.Time
	}{
		{"a prompt due in quiet hours waits for 07:00", "0 21 * * WED", "America/New_York", nil, at(3, 5, 12, 0),
			[]time.Time{at(3, 5, 7, 0)}},
		{"a prompt on the student's Saturday waits for their Monday", "0 14 * * FRI", "Asia/Tokyo", nil, at(3, 9, 12, 0),
			[]time.Time{time.Date(2026, 3, 9, 7, 0, 0, 0, mustZone("Asia/Tokyo"))}},
		{"no prompt on a school holiday", "0 14 * * FRI", "America/New_York", []string{"2026-03-06"}, at(3, 9, 12, 0), nil},
		{"a school day is unaffected", "0 14 * * FRI", "America/New_York", []string{"2026-03-05"}, at(3, 9, 12, 0),
			[]time.Time{at(3, 6, 14, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York", Holidays: tt.holidays})
			teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
			kim := e.user("Kim", tt.zone, plpbot.RoleStudent)
			e.class("Math", teacher, "America/New_York", tt.cron, "", kim)
			e.advanceTo(tt.until)
			got := e.fake.DMs("Reflection time")
			if len(got) != len(tt.want) {
				t.Fatalf("got %d prompts, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if !got[i].At.Equal(tt.want[i]) {
					t.Errorf("prompt %d at %s, want %s", i, got[i].At.In(ny), tt.want[i].In(ny))
				}
			}
		})
	}
}

func TestDSTRunsNeitherSkipNorDouble(t *testing.T) {
	tests := []struct {
		name     string
		cron     string
		from, to time.Time
		want     []string
	}{
		{"spring forward: the 02:30 run happens once, at 03:30", "30 2 * * *", at(3, 7, 0, 0), at(3, 10, 0, 0),
			[]string{"Mar 7 02:30 EST", "Mar 8 03:30 EDT", "Mar 9 02:30 EDT"}},
		{"fall back: the 01:30 run happens once", "30 1 * * *", at(10, 31, 0, 0), at(11, 3, 0, 0),
			[]string{"Oct 31 01:30 EDT", "Nov 1 01:30 EDT", "Nov 2 01:30 EST"}},
	}
	for _, tt := range tests {
		for _, kind := range []string{"summaries", "prompts"} {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				e := newEnv(t, tt.from, scheduler.Options{TimeZone: "America/New_York", QuietHours: "off", SchoolDays: everyDay})
				teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
				kim := e.user("Kim", "America/New_York", plpbot.RoleStudent)
				var got []sent
				if kind == "summaries" {
					e.class("Math", teacher, "America/New_York", "0 0 1 1 *", tt.cron, kim)
					e.advanceTo(tt.to)
					got = e.fake.Posts()
				} else {
					e.class("Math", teacher, "America/New_York", tt.cron, "0 0 1 1 *", kim)
					e.advanceTo(tt.to)
					got = e.fake.DMs("Reflection time")
				}
				var when []string
				for _, s := range got {
					when = append(when, s.At.In(ny).Format("Jan 2 15:04 MST"))
				}
				if strings.Join(when, ", ") != strings.Join(tt.want, ", ") {
					t.Errorf("sent at %q, want %q", when, tt.want)
				}
			})
		}
	}
}

func TestCatchUpAfterDowntime(t *testing.T) {
	tests := []struct {
		name  string
		ticks []time.Time // the scheduler runs only at these times
		want  []time.Time // prompt times
	}{
		{"back within a day: the missed prompt goes out", []time.Time{monday, at(3, 6, 16, 0)}, []time.Time{at(3, 6, 16, 0)}},
		{"back after a day: skipped, not sent late", []time.Time{monday, at(3, 7, 15, 0), at(3, 9, 9, 0)}, nil},
		{"back late at night: waits for the morning", []time.Time{monday, at(3, 6, 22, 0), at(3, 9, 6, 59), at(3, 9, 7, 0)},
			[]time.Time{at(3, 9, 7, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York"})
			teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
			kim := e.user("Kim", "America/New_York", plpbot.RoleStudent)
			e.class("Math", teacher, "America/New_York", "", "", kim)
			for _, tk := range tt.ticks {
				e.tick(tk)
			}
			got := e.fake.DMs("Reflection time")
			if len(got) != len(tt.want) {
				t.Fatalf("got %d prompts, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if !got[i].At.Equal(tt.want[i]) {
					t.Errorf("prompt at %s, want %s", got[i].At.In(ny), tt.want[i].In(ny))
				}
			}
		})
	}
}

// conferenceEnv is a teacher, a student with an overdue goal and no
// check-ins, and a class.
func conferenceEnv(t *testing.T) (*env, *plpbot.Person, *plpbot.Person) {
	t.Helper()
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	sam := e.user("Sam", "America/New_York", plpbot.RoleStudent)
	e.class("Advisory", teacher, "America/New_York", "0 0 1 1 *", "0 0 1 1 *", sam)
	if _, err := e.store.AddGoal(e.ctx, plpbot.Goal{UserID: sam.ID, Title: "Finish the science fair board",
		TargetDate: time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return e, teacher, sam
}

func (e *env) conference(teacher, student *plpbot.Person, when time.Time) *plpbot.Conference {
	e.t.Helper()
	c, err := e.store.ScheduleConference(e.ctx, plpbot.Conference{StudentID: student.ID, StudentName: student.Name,
		TeacherID: teacher.ID, TeacherName: teacher.Name, At: when})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func TestConferenceRemindersBriefAndNotes(t *testing.T) {
	e, teacher, sam := conferenceEnv(t)
	c := e.conference(teacher, sam, at(3, 4, 10, 0))
	if _, err := e.store.AddAgendaItem(e.ctx, c.Number, plpbot.AgendaItem{Text: "Help choosing electives", ByID: sam.ID, ByName: sam.Name}); err != nil {
		t.Fatal(err)
	}
	e.advanceTo(at(3, 4, 13, 0))

	briefs := e.fake.DMs("Conference prep")
	if len(briefs) != 2 || !briefs[0].At.Equal(at(3, 3, 10, 0)) || !briefs[1].At.Equal(at(3, 4, 9, 0)) {
		t.Fatalf("briefs = %+v, want Tue 10:00 and Wed 09:00", briefs)
	}
	txt := briefs[0].Msg.PlainText()
	for _, want := range []string{"Finish the science fair board", "past its date", "No check-ins yet", "Help choosing electives", "tomorrow at 10:00"} {
		if !strings.Contains(txt, want) {
			t.Errorf("brief lacks %q:\n%s", want, txt)
		}
	}
	if heads := e.fake.DMs("Conference coming up"); len(heads) != 1 || heads[0].To != "sam" || !heads[0].At.Equal(at(3, 3, 10, 0)) {
		t.Errorf("student heads-ups = %+v, want one to sam on Tue 10:00", heads)
	}
	notes := e.fake.DMs("How did it go")
	if len(notes) != 1 || !notes[0].At.Equal(at(3, 4, 12, 0)) || notes[0].To != "ms lee" {
		t.Fatalf("notes requests = %+v, want one to the teacher at 12:00", notes)
	}
	if log, err := e.store.AuditLog(e.ctx, sam.ID, 0); err != nil || len(log) != 2 || log[0].Action != "prep_brief" {
		t.Errorf("audit = %+v, %v; want two prep_brief entries", log, err)
	}
	e.advanceTo(at(3, 6, 13, 0))
	if n := len(e.fake.DMs("How did it go")); n != 1 {
		t.Errorf("notes requests = %d, want exactly 1", n)
	}
}

func TestRescheduleAndCancelWithdrawReminders(t *testing.T) {
	e, teacher, sam := conferenceEnv(t)
	moved := e.conference(teacher, sam, at(3, 4, 10, 0))
	cancelled := e.conference(teacher, sam, at(3, 4, 10, 1))
	down := true
	e.fake.fail = func(int, string) error {
		if down {
			return errors.New("500 internal server error")
		}
		return nil
	}
	e.advanceTo(at(3, 3, 10, 3)) // 24h reminders planned for both, and failing
	if got := e.fake.DMs(""); len(got) != 0 {
		t.Fatalf("sent %d while the platform was down", len(got))
	}
	if _, err := e.store.RescheduleConference(e.ctx, moved.Number, at(3, 5, 10, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CancelConference(e.ctx, cancelled.Number); err != nil {
		t.Fatal(err)
	}
	down = false
	e.advanceTo(at(3, 6, 9, 0))
	briefs := e.fake.DMs("Conference prep")
	if len(briefs) != 2 || !briefs[0].At.Equal(at(3, 4, 10, 0)) || !briefs[1].At.Equal(at(3, 5, 9, 0)) {
		for _, b := range briefs {
			t.Logf("brief at %s: %s", b.At.In(ny), b.Msg.PlainText())
		}
		t.Fatalf("got %d briefs, want two for the new time only (Wed 10:00, Thu 09:00)", len(briefs))
	}
	skipped, err := e.store.OutboxItems(e.ctx, storage.OutboxSkipped, 0)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]int{}
	for _, it := range skipped {
		reasons[it.Reason]++
	}
	if reasons["conference moved"] != 2 || reasons["conference cancelled"] != 2 {
		t.Errorf("skipped reasons = %v, want the moved and cancelled conference's brief and heads-up", reasons)
	}
}

func TestClassSummaryKeepsStudentsPrivate(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	ana := e.user("Ana", "America/New_York", plpbot.RoleStudent)
	ben := e.user("Ben", "America/New_York", plpbot.RoleStudent)
	cal := e.user("Cal", "America/New_York", plpbot.RoleStudent)
	dee := e.user("Dee", "America/New_York", plpbot.RoleStudent)
	eve := e.user("Eve", "America/New_York", plpbot.RoleStudent)
	if _, err := e.store.SetShoutouts(e.ctx, ana.ID, true); err != nil {
		t.Fatal(err)
	}
	e.class("Biology", teacher, "America/New_York", "0 0 1 1 *", "", ana, ben, cal, dee, eve)
	done := plpbot.GoalDone
	for _, u := range []*plpbot.Person{ana, ben} {
		g, err := e.store.AddGoal(e.ctx, plpbot.Goal{UserID: u.ID, Title: "Secret goal of " + u.Name})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.store.RecordCheckIn(e.ctx, plpbot.CheckIn{UserID: u.ID, GoalNumber: g.Number, Percent: 50}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.EditGoal(e.ctx, u.ID, g.Number, storage.GoalEdit{Status: &done}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.store.AddGoal(e.ctx, plpbot.Goal{UserID: cal.ID, Title: "Cal's goal", Progress: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.AddReflection(e.ctx, plpbot.Reflection{UserID: ben.ID, Text: "I feel lost in class"}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddFlag(e.ctx, plpbot.Flag{StudentID: cal.ID, Kind: "iep", Note: "reading support"}); err != nil {
		t.Fatal(err)
	}
	e.advanceTo(at(3, 6, 16, 0))
	posts := e.fake.Posts()
	if len(posts) != 1 || posts[0].To != "ch-biology" || !posts[0].At.Equal(at(3, 6, 15, 0)) {
		t.Fatalf("posts = %+v, want one to ch-biology at Fri 15:00", posts)
	}
	txt := posts[0].Msg.PlainText()
	for _, want := range []string{"Goals set: 3", "Goals completed: 2", "Checked in: 2 of 5 students (40%)", "Ana finished a goal"} {
		if !strings.Contains(txt, want) {
			t.Errorf("summary lacks %q:\n%s", want, txt)
		}
	}
	// Only Cal has an active goal: a class progress figure would be Cal's.
	for _, never := range []string{"Ben", "Cal", "lost", "reading", "iep", "Secret", "Class progress", "5%"} {
		if strings.Contains(txt, never) {
			t.Errorf("summary shows %q:\n%s", never, txt)
		}
	}
}

func TestUndeliverableFailsAtOnceAndFlags(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	ana := e.user("Ana", "America/New_York", plpbot.RoleStudent)
	dan := e.user("Dan", "America/New_York", plpbot.RoleStudent)
	e.class("Art", teacher, "America/New_York", "", "0 0 1 1 *", ana, dan)
	tries := 0
	e.fake.fail = func(_ int, to string) error {
		if to == "dan" {
			tries++
			return &bot.UndeliverableError{Reason: "cannot_dm", Err: errors.New("discord 50007")}
		}
		return nil
	}
	e.advanceTo(at(3, 6, 15, 0))
	if tries != 1 {
		t.Errorf("tried Dan %d times, want 1 (no retry loop)", tries)
	}
	u, err := e.store.User(e.ctx, dan.ID)
	if err != nil || u.CantDM != "cannot_dm" {
		t.Errorf("Dan's can't-DM flag = %q, %v", u.CantDM, err)
	}
	if c := e.counts(); c[storage.OutboxFailed] != 1 || c[storage.OutboxSent] != 1 {
		t.Errorf("outbox = %v, want 1 sent and 1 failed", c)
	}
	report, err := e.sched.OutboxReport(e.ctx)
	if err != nil || !strings.Contains(report, "undeliverable: cannot_dm") || !strings.Contains(report, "failed   1") {
		t.Errorf("report = %q, %v", report, err)
	}
	e.advanceTo(at(3, 13, 15, 0))
	if tries != 1 {
		t.Errorf("tried Dan again (%d) though he can't get DMs", tries)
	}
}

func TestRateLimitsAndServerErrorsLoseNothing(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	c := e.class("Gym", teacher, "America/New_York", "", "0 0 1 1 *")
	ids := seedStudents(t, e.store, c.ID, 30, "America/New_York")
	e.fake.fail = func(n int, _ string) error {
		switch {
		case n <= 8:
			return &bot.RetryAfterError{After: 20 * time.Second}
		case n <= 20:
			return errors.New("HTTP 500")
		}
		return nil
	}
	e.advanceTo(at(3, 6, 16, 0))
	got := perRecipient(e.fake.DMs("Reflection time"))
	if len(got) != len(ids) {
		t.Errorf("%d of %d students got a prompt", len(got), len(ids))
	}
	for to, n := range got {
		if n != 1 {
			t.Errorf("%s got %d prompts", to, n)
		}
	}
	if c := e.counts(); c[storage.OutboxFailed] != 0 || c[storage.OutboxPending] != int64(len(ids)) {
		t.Errorf("outbox = %v, want no failures and the follow-ups pending", c)
	}
}

func TestKillDeliveryMidwayAndRestart(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200 // the embedded database scans a collection per _id lookup
	}
	e := newEnv(t, at(3, 6, 13, 59), scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	c := e.class("Hall", teacher, "America/New_York", "", "0 0 1 1 *")
	seedStudents(t, e.store, c.ID, n, "America/New_York")
	e.tick(at(3, 6, 13, 59))

	ctx, kill := context.WithCancel(e.ctx)
	defer kill()
	e.fake.delivered = func(k int) {
		if k == n*2/5 {
			kill()
		}
	}
	e.clock.Set(at(3, 6, 14, 0))
	if err := e.sched.Tick(ctx, at(3, 6, 14, 0)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Tick during kill = %v, want context.Canceled", err)
	}
	first := len(e.fake.DMs("Reflection time"))
	if first >= n {
		t.Fatalf("all %d sent before the kill", first)
	}
	e.fake.delivered = nil
	restarted := e.another("replica-b")
	e.clock.Set(at(3, 6, 14, 5)) // the dead worker's leases have run out
	if err := restarted.Tick(e.ctx, at(3, 6, 14, 5)); err != nil {
		t.Fatal(err)
	}
	got := perRecipient(e.fake.DMs("Reflection time"))
	dups := 0
	for _, k := range got {
		dups += k - 1
	}
	if len(got) != n {
		t.Errorf("%d of %d students got their prompt", len(got), n)
	}
	if dups > scheduler.DefaultWorkers {
		t.Errorf("%d duplicates, want at most one per in-flight send (%d)", dups, scheduler.DefaultWorkers)
	}
	t.Logf("sent %d before the kill, %d duplicates after restart", first, dups)
}

func TestTwoSchedulersSendOnce(t *testing.T) {
	const n = 300
	e := newEnv(t, at(3, 6, 13, 0), scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	c := e.class("Band", teacher, "America/New_York", "", "0 0 1 1 *")
	seedStudents(t, e.store, c.ID, n, "America/New_York")
	a, b := e.sched, e.another("replica-b")
	for _, tk := range []time.Time{at(3, 6, 13, 0), at(3, 6, 14, 0), at(3, 6, 14, 1)} {
		e.clock.Set(tk)
		var wg sync.WaitGroup
		for _, s := range []*scheduler.Scheduler{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.Tick(e.ctx, tk); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	got := perRecipient(e.fake.DMs("Reflection time"))
	if len(got) != n {
		t.Errorf("%d of %d students got a prompt", len(got), n)
	}
	for to, k := range got {
		if k != 1 {
			t.Errorf("%s got %d prompts", to, k)
		}
	}
}

func TestRunCatchesUpAtStartAndStops(t *testing.T) {
	started := time.Now().UTC()
	e := newEnv(t, started.Add(-2*time.Hour), scheduler.Options{})
	teacher := e.user("Ms Lee", "UTC", plpbot.RoleTeacher)
	kim := e.user("Kim", "UTC", plpbot.RoleStudent)
	due := started.Add(-30 * time.Minute)
	e.class("Late", teacher, "UTC", fmt.Sprintf("%d %d * * *", due.Minute(), due.Hour()), "0 0 1 1 *", kim)
	e.clock.Set(started)
	s := scheduler.New(e.store, e.composer, e.fake, scheduler.Options{QuietHours: "off", SchoolDays: everyDay, PollEvery: 50 * time.Millisecond,
		ReplicaID: "runner", Logger: e.opts.Logger})
	ctx, stop := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for len(e.fake.DMs("Reflection time")) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := e.fake.DMs("Reflection time"); len(got) != 1 || got[0].To != "kim" {
		t.Fatalf("prompts = %+v, want the missed one to kim", got)
	}
	// The lease was released on the way out: another replica plans at once.
	if ok, err := e.store.AcquireLease(e.ctx, "scheduler-planner", "other", time.Now(), time.Minute); err != nil || !ok {
		t.Errorf("lease after shutdown = %v, %v; want it free", ok, err)
	}
}
