package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
)

// The forget tests run on an embedded database of their own, in a folder
// they know, so that they can read its files byte by byte afterwards.

// newEnvOwnDatabase is newEnv on an embedded database of its own under a
// fresh folder, which it returns.
func newEnvOwnDatabase(t *testing.T) (*env, string) {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, now: time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return e.now }
	ctx := context.Background()
	s, err := storage.Open(ctx, storage.Options{DataDir: dir, Now: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open an embedded database in %s: %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	e.store = s
	e.h = handlers.New(s, handlers.Options{Now: clock, DefaultTimeZone: "UTC"})
	return e, dir
}

// The people of forgetWorld: their names are markers too (a name is
// stored as typed and lower-cased; console ids are the lower-cased name).
const (
	forgetStudent = "quokkazed"
	forgetTeacher = "wombatrix"
)

// forgetWorld is a school where forgetTeacher teaches a class of
// forgetStudent and fillers, each with a plan, check-ins and reflections,
// so that the two people's records share database pages with others'.
// Every text either of them writes starts with their marker prefix
// ("QZ-" for the student, "WB-" for the teacher).
func forgetWorld(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	e.ok("admin", "plan")
	e.ok("admin", "role @"+forgetTeacher+" teacher")
	e.ok(forgetTeacher, "class create Period 3")
	add := "class add @" + forgetStudent
	filler := func(i int) {
		name := fmt.Sprintf("filler%02d", i)
		e.ok(name, "goal add Learn to juggle three balls number "+name)
		e.ok(name, "checkin 1 20% practised for ten minutes with "+strings.Repeat("care ", i%7))
		e.ok(name, "reflect Today I found out that slow practice helps "+strings.Repeat("a lot ", i%5))
	}
	for i := range 12 {
		filler(i)
		add += fmt.Sprintf(" @filler%02d", i)
	}
	e.ok(forgetStudent, "goal add QZ-goal-title learn Mandarin why:QZ-goal-why to talk to my grandmother")
	e.ok(forgetStudent, "step add 1 QZ-step first hundred characters")
	e.ok(forgetStudent, "checkin 1 40% QZ-checkin-note went well confidence:4")
	e.ok(forgetStudent, "reflect QZ-reflection I was anxious about the test")
	plainDM(t, e, forgetStudent, "QZ-dm-reflection my parents are separating")
	e.ok(forgetStudent, "profile set interests QZ-profile chess and origami")
	e.ok(forgetStudent, "away until 2026-11-27 QZ-away-note hospital visit")
	e.ok(forgetStudent, "away off")
	for i := 12; i < 24; i++ {
		filler(i)
		add += fmt.Sprintf(" @filler%02d", i)
	}
	e.ok(forgetTeacher, add)
	e.ok(forgetTeacher, "feedback @"+forgetStudent+" 1 QZ-feedback WB-feedback keep the streak going")
	e.ok(forgetTeacher, "flag @"+forgetStudent+" iep QZ-flag-note WB-flag-note reading support")
	e.ok(forgetTeacher, "conference @"+forgetStudent+" 2026-12-01 10:30 QZ-conference-agenda WB-conference-agenda")
	e.ok(forgetStudent, "conference agenda QZ-student-agenda can we talk about my schedule")
	e.ok(forgetTeacher, "conference @filler03 every 1w tue 11:00 WB-standing-topic mentoring")
	e.ok(forgetTeacher, "feedback @filler04 1 WB-feedback-other nice juggling")
	e.ok(forgetTeacher, "student @"+forgetStudent)
	e.ok(forgetTeacher, "export @"+forgetStudent)
	e.ok(forgetTeacher, "student @filler05")

	// What the scheduler keeps about them: a planned prompt, its claim and
	// the prompt record; a prep brief owed to the teacher.
	sid, tid := staffUID(forgetStudent), staffUID(forgetTeacher)
	items := []storage.OutboxItem{
		{Job: "reflect", Period: "2026-11-27T14:00", Recipient: sid, Platform: "console", Due: e.now},
		{Job: "brief-24h", Period: "1@1764585000", Recipient: tid, Platform: "console", Conference: 1, Due: e.now},
	}
	if _, err := e.store.PlanOutbox(ctx, items); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ClaimOutbox(ctx, "replica-1", e.now, time.Minute, 10, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SavePrompt(ctx, storage.Prompt{ID: storage.OutboxKey("reflect", "2026-11-27T14:00", sid), UserID: sid, Text: "What went well?", SentAt: e.now}); err != nil {
		t.Fatal(err)
	}
	for i := 24; i < 36; i++ {
		filler(i) // later activity on the same pages
	}
}

// filesContaining reads every file under dir (the .sqlite files and any
// -wal, -shm or -journal beside them) and returns, for each marker found,
// where: "file@offset".
func filesContaining(t *testing.T, dir string, markers ...string) map[string][]string {
	t.Helper()
	found := map[string][]string{}
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if d.Type()&fs.ModeType != 0 {
			return nil // sockets and the like hold no data
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		lower := bytes.ToLower(data)
		for _, m := range markers {
			if i := bytes.Index(lower, bytes.ToLower([]byte(m))); i >= 0 {
				found[m] = append(found[m], fmt.Sprintf("%s@%d %q", filepath.Base(path), i, data[max(0, i-60):min(len(data), i+60)]))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read the database files: %v", err)
	}
	if n == 0 {
		t.Fatalf("no database files under %s", dir)
	}
	return found
}

func TestForgetStudentLeavesNoByteBehind(t *testing.T) {
	e, dir := newEnvOwnDatabase(t)
	forgetWorld(t, e)
	markers := []string{forgetStudent, "QZ-"}
	if found := filesContaining(t, dir, markers...); len(found) != len(markers) {
		t.Fatalf("before forget, the files should hold every marker; found %v", found)
	}

	e.ok("admin", "forget @"+forgetStudent+" confirm")

	if found := filesContaining(t, dir, markers...); len(found) > 0 {
		t.Errorf("after forget, the database files still hold the student's data: %v", found)
	}
	// What others wrote stays: the teacher's feedback on another student.
	if found := filesContaining(t, dir, "WB-feedback-other", "filler03"); len(found) != 2 {
		t.Errorf("forget removed other people's records too: found only %v", found)
	}
}

func TestForgetStaffMemberLeavesNoByteBehind(t *testing.T) {
	e, dir := newEnvOwnDatabase(t)
	forgetWorld(t, e)
	if found := filesContaining(t, dir, forgetTeacher); len(found) != 1 {
		t.Fatalf("before forget, the files should hold the teacher's name")
	}

	e.ok("admin", "forget @"+forgetTeacher+" confirm")

	if found := filesContaining(t, dir, forgetTeacher); len(found) > 0 {
		t.Errorf("after forget, the database files still hold the staff member's name or id: %v", found)
	}
	// The students' records stay, with a former staff member as their author.
	if found := filesContaining(t, dir, "QZ-feedback", "QZ-flag-note", "QZ-conference-agenda"); len(found) != 3 {
		t.Errorf("forgetting a teacher removed the student's records: found only %v", found)
	}
	out := e.ok("admin", "student @"+forgetStudent)
	mustContain(t, out, "QZ-feedback", "a former staff member")
	// The feedback is the audit log's entry of itself: it stays, anonymised.
	out = e.ok("admin", "audit @"+forgetStudent)
	mustContain(t, out, "a former staff member · gave feedback: goal 1")
	mustNotContain(t, out, forgetTeacher, "QZ-feedback")
}

func TestForgetStaffMemberCommand(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("sam", "goal add Read three novels")
	e.ok("ms-lee", "feedback @sam 1 Great pace")
	e.ok("ms-lee", "flag @sam iep reading support")
	e.ok("ms-lee", "conference @sam 2026-12-01 10:30 goals check")

	out := e.ok("admin", "forget @ms-lee")
	mustContain(t, out, "Forget ms-lee?", "1 class membership", "their profile and account",
		"What they wrote about others stays, with their name replaced by “a former staff member”",
		"1 piece of feedback they gave", "1 intervention flag they recorded", "1 class they created (its students stay)",
		"1 conference they held (1 upcoming: cancelled)", "1 talking point they added", "/plp forget @ms-lee confirm")
	mustNotContain(t, out, "0 goals", "0 check-ins")

	out = e.ok("admin", "forget @ms-lee confirm")
	mustContain(t, out, "every record of ms-lee is deleted", "now say “a former staff member”",
		"1 upcoming conference they were to hold is cancelled")
	out = e.ok("admin", "student @sam")
	mustContain(t, out, "Great pace", "a former staff member on goal 1", "reading support")
	mustNotContain(t, out, "ms-lee")
	mustContain(t, e.ok("sam", "conference list"), "don't have a conference coming up")

	// Someone who comes back is a new person; the preview says they were
	// forgotten before.
	e.ok("ms-lee", "plan")
	mustContain(t, e.ok("admin", "forget @ms-lee"), "They were forgotten once before, on Wed 25 Nov 2026")
}
