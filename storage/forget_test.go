package storage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// admin is who erases people in these tests.
var admin = storage.Eraser{ID: "slack:T1:A", Name: "Principal Okafor"}

// seedPerson gives a student a record in every collection Forget clears,
// a scheduled message with a claim, and an audit entry naming them.
func seedPerson(t *testing.T, s *storage.Store, u *plpbot.Person, teacherID, classID string) {
	t.Helper()
	ctx := context.Background()
	mustGoal(t, s, u.ID, "goal")
	_, _, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 10})
	must(t, "RecordCheckIn", err)
	_, err = s.AddReflection(ctx, plpbot.Reflection{UserID: u.ID, Text: "private thoughts"})
	must(t, "AddReflection", err)
	_, _, err = s.AddFeedback(ctx, plpbot.Feedback{StudentID: u.ID, StaffID: teacherID, GoalNumber: 1, Text: "nice"})
	must(t, "AddFeedback", err)
	must(t, "AddFlag", s.AddFlag(ctx, plpbot.Flag{StudentID: u.ID, Kind: "iep", ByID: teacherID}))
	must(t, "Enroll", s.Enroll(ctx, classID, []string{u.ID}, plpbot.MemberStudent))
	c, err := s.ScheduleConference(ctx, plpbot.Conference{StudentID: u.ID, StudentName: u.Name, TeacherID: teacherID, At: t0.Add(48 * time.Hour)})
	must(t, "ScheduleConference", err)
	must(t, "Audit", s.Audit(ctx, plpbot.AuditEntry{ActorID: teacherID, Action: "export", SubjectID: u.ID, Detail: "exported " + u.Name + "'s plan"}))
	must(t, "SavePrompt", s.SavePrompt(ctx, storage.Prompt{ID: storage.OutboxKey("reflect", "w1", u.ID), UserID: u.ID, Text: "How did it go?", SentAt: t0}))
	_, err = s.PlanOutbox(ctx, []storage.OutboxItem{
		{Job: "reflect", Period: "w1", Recipient: u.ID, Due: t0},
		{Job: "brief-24h", Period: fmt.Sprint(c.Number), Recipient: teacherID, Conference: c.Number, Due: t0},
	})
	must(t, "PlanOutbox", err)
}

// bothStores runs test on a store of the shared test server, where
// Forget finds records through the server's queries, and on an embedded
// database of its own, where it asks SQLite (embedded.Server.IDs).
func bothStores(t *testing.T, test func(t *testing.T, s *storage.Store, clk *clock)) {
	t.Run("queries", func(t *testing.T) {
		s, clk := newStore(t)
		test(t, s, clk)
	})
	t.Run("embedded", func(t *testing.T) {
		clk := newClock()
		test(t, openOwn(t, clk.Now), clk)
	})
}

// docsMentioning returns the documents of every collection whose content
// holds needle, as "collection/_id".
func docsMentioning(t *testing.T, s *storage.Store, needle string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, coll := range append(storage.Collections(), "settings") {
		cur, err := storagetest.Collection(t, s, coll).Find(ctx, bson.D{})
		must(t, "find "+coll, err)
		var docs []bson.Raw
		must(t, "read "+coll, cur.All(ctx, &docs))
		for _, d := range docs {
			if strings.Contains(d.String(), needle) {
				out = append(out, coll+"/"+d.Lookup("_id").String())
			}
		}
	}
	return out
}

func TestForgetStudent(t *testing.T) { bothStores(t, testForgetStudent) }

func testForgetStudent(t *testing.T, s *storage.Store, _ *clock) {
	ctx := context.Background()
	tch := mustUser(t, s, "T", "Ms. Rivera", plpbot.RoleTeacher)
	class := mustClass(t, s, "Bio", tch.ID)
	gone := mustUser(t, s, "G", "Gia", "")
	kept := mustUser(t, s, "K", "Kai", "")
	seedPerson(t, s, gone, tch.ID, class.ID)
	seedPerson(t, s, kept, tch.ID, class.ID)
	if _, err := s.ClaimOutbox(ctx, "replica", t0, time.Minute, 10, nil); err != nil {
		t.Fatal(err)
	}
	keptBefore := len(docsMentioning(t, s, kept.ID))
	if log, err := s.AuditLog(ctx, gone.ID, 0); err != nil || len(log) != 2 {
		t.Fatalf("before Forget, the audit log about them = %+v, %v; want the export and the feedback", log, err)
	}

	preview, err := s.CountRecords(ctx, gone.ID)
	must(t, "CountRecords", err)
	want := storage.RecordCounts{Goals: 1, CheckIns: 1, Reflections: 1, Feedback: 1, Flags: 1, Classes: 1,
		Conferences: 1, Prompts: 1, Messages: 2, Audit: 1}
	if preview != want {
		t.Errorf("CountRecords = %+v, want %+v", preview, want)
	}
	done, err := s.Forget(ctx, gone.ID, admin)
	must(t, "Forget", err)
	if done != preview {
		t.Errorf("Forget did %+v, the preview said %+v", done, preview)
	}

	if left := docsMentioning(t, s, gone.ID); len(left) > 0 {
		t.Errorf("after Forget, documents still hold the person's id: %v", left)
	}
	if left := docsMentioning(t, s, "Gia"); len(left) > 0 {
		t.Errorf("after Forget, documents still hold the person's name: %v", left)
	}
	if n := len(docsMentioning(t, s, kept.ID)); n != keptBefore {
		t.Errorf("Forget of someone else changed the kept student's documents: %d, want %d", n, keptBefore)
	}
	// Their feedback, and with it the audit log's entry of it, is gone;
	// the kept student's stays.
	if log, err := s.AuditLog(ctx, gone.ID, 0); err != nil || len(log) != 0 {
		t.Errorf("after Forget, the audit log about them = %+v, %v; want nothing", log, err)
	}
	if log, err := s.AuditLog(ctx, kept.ID, 0); err != nil || len(log) != 2 {
		t.Errorf("after Forget of someone else, the kept student's audit log = %+v, %v; want the export and the feedback", log, err)
	}
	if rows, err := s.Roster(ctx, class.ID); err != nil || len(rows) != 1 || rows[0].UserID != kept.ID {
		t.Errorf("Roster after Forget = %+v, %v; want only the kept student", rows, err)
	}

	// One erasure record stands for them: it names the admin, not them.
	erased, err := s.Erasures(ctx, gone.ID)
	must(t, "Erasures", err)
	if len(erased) != 1 || erased[0].ByName != admin.Name || !strings.Contains(erased[0].Detail, "11 records deleted") {
		t.Errorf("Erasures = %+v, want one record by %s", erased, admin.Name)
	}
	if other, err := s.Erasures(ctx, kept.ID); err != nil || len(other) != 0 {
		t.Errorf("Erasures of someone never erased = %+v, %v", other, err)
	}

	// Forgetting someone unknown, or twice, changes nothing.
	again, err := s.Forget(ctx, gone.ID, admin)
	must(t, "Forget again", err)
	if again != (storage.RecordCounts{}) {
		t.Errorf("Forget again did %+v", again)
	}
	if erased, _ := s.Erasures(ctx, gone.ID); len(erased) != 1 {
		t.Errorf("Forget again wrote another erasure record: %+v", erased)
	}
	// A forgotten person who comes back starts from scratch.
	u, created, err := s.EnsureUser(ctx, slackID("G"), storage.UserHints{Name: "Gia"})
	must(t, "EnsureUser after Forget", err)
	if !created {
		t.Errorf("EnsureUser after Forget: created %v; want a new user", created)
	}
	if g := mustGoal(t, s, u.ID, "fresh"); g.Number != 1 {
		t.Errorf("first goal after Forget is number %d, want 1", g.Number)
	}
}

func TestForgetStaffMember(t *testing.T) { bothStores(t, testForgetStaffMember) }

func testForgetStaffMember(t *testing.T, s *storage.Store, clk *clock) {
	ctx := context.Background()
	tch := mustUser(t, s, "T", "Ms. Rivera", plpbot.RoleTeacher)
	other := mustUser(t, s, "O", "Mr. Osei", plpbot.RoleTeacher)
	class := mustClass(t, s, "Bio", tch.ID)
	stu := mustUser(t, s, "S", "Sol", "")
	must(t, "Enroll", s.Enroll(ctx, class.ID, []string{stu.ID}, plpbot.MemberStudent))
	must(t, "Enroll co-teacher", s.Enroll(ctx, class.ID, []string{other.ID}, plpbot.MemberTeacher))
	mustGoal(t, s, stu.ID, "Read more")
	_, _, err := s.AddFeedback(ctx, plpbot.Feedback{StudentID: stu.ID, StaffID: tch.ID, StaffName: tch.Name, GoalNumber: 1, Text: "well done"})
	must(t, "AddFeedback", err)
	must(t, "AddFlag", s.AddFlag(ctx, plpbot.Flag{StudentID: stu.ID, Kind: "504", Note: "extra time", ByID: tch.ID}))
	book := func(at time.Time, every string) *plpbot.Conference {
		c, err := s.ScheduleConference(ctx, plpbot.Conference{StudentID: stu.ID, StudentName: stu.Name,
			TeacherID: tch.ID, TeacherName: tch.Name, At: at, Every: every})
		must(t, "ScheduleConference", err)
		_, err = s.AddAgendaItem(ctx, c.Number, plpbot.AgendaItem{Text: "goals", ByID: tch.ID, ByName: tch.Name})
		must(t, "AddAgendaItem", err)
		_, err = s.AddAgendaItem(ctx, c.Number, plpbot.AgendaItem{Text: "my question", ByID: stu.ID, ByName: stu.Name})
		must(t, "AddAgendaItem", err)
		return c
	}
	past := book(t0.Add(-24*time.Hour), "")
	_, err = s.CompleteConference(ctx, past.Number, "talked it through")
	must(t, "CompleteConference", err)
	upcoming := book(t0.Add(24*time.Hour), "")
	standing := book(t0.Add(72*time.Hour), plpbot.EveryWeek)
	must(t, "Audit", s.Audit(ctx, plpbot.AuditEntry{ActorID: tch.ID, ActorName: tch.Name, Action: "view_plan", SubjectID: stu.ID}))
	must(t, "Audit", s.Audit(ctx, plpbot.AuditEntry{ActorID: admin.ID, ActorName: admin.Name, Action: "role", SubjectID: tch.ID}))
	_, err = s.PlanOutbox(ctx, []storage.OutboxItem{{Job: "notes", Period: "1", Recipient: tch.ID, Conference: past.Number, Due: t0}})
	must(t, "PlanOutbox", err)

	preview, err := s.CountRecords(ctx, tch.ID)
	must(t, "CountRecords", err)
	want := storage.RecordCounts{Classes: 1, Messages: 1, Audit: 1,
		FeedbackGiven: 1, FlagsRecorded: 1, ClassesCreated: 1, ConferencesHeld: 3, UpcomingHeld: 2, AgendaItems: 3, AuditActions: 1}
	if preview != want {
		t.Errorf("CountRecords = %+v, want %+v", preview, want)
	}
	done, err := s.Forget(ctx, tch.ID, admin)
	must(t, "Forget", err)
	if done != preview {
		t.Errorf("Forget did %+v, the preview said %+v", done, preview)
	}
	for _, needle := range []string{tch.ID, tch.Name} {
		if left := docsMentioning(t, s, needle); len(left) > 0 {
			t.Errorf("after Forget, documents still hold %q: %v", needle, left)
		}
	}

	// The student's records stay, with a former staff member as author.
	fb, err := s.FeedbackFor(ctx, stu.ID, time.Time{}, 0)
	must(t, "FeedbackFor", err)
	if len(fb) != 1 || fb[0].StaffName != storage.FormerStaffName || fb[0].StaffID != storage.FormerStaffID || fb[0].Text != "well done" {
		t.Errorf("feedback after Forget = %+v", fb)
	}
	flags, err := s.Flags(ctx, stu.ID)
	must(t, "Flags", err)
	if len(flags) != 1 || flags[0].ByID != storage.FormerStaffID || flags[0].Note != "extra time" {
		t.Errorf("flags after Forget = %+v", flags)
	}
	cl, err := s.Class(ctx, class.ID)
	must(t, "Class", err)
	if cl.CreatedBy != storage.FormerStaffID {
		t.Errorf("class created by %q after Forget", cl.CreatedBy)
	}
	if ids, err := s.ClassMembers(ctx, class.ID, plpbot.MemberTeacher); err != nil || len(ids) != 1 || ids[0] != other.ID {
		t.Errorf("class teachers after Forget = %v, %v; want only the co-teacher", ids, err)
	}
	if ids, err := s.ClassMembers(ctx, class.ID, plpbot.MemberStudent); err != nil || len(ids) != 1 {
		t.Errorf("class students after Forget = %v, %v; want the student kept", ids, err)
	}
	wantStatus := map[int]plpbot.ConferenceStatus{past.Number: plpbot.ConferenceDone,
		upcoming.Number: plpbot.ConferenceCancelled, standing.Number: plpbot.ConferenceCancelled}
	for n, st := range wantStatus {
		c, err := s.ConferenceByNumber(ctx, n)
		must(t, "ConferenceByNumber", err)
		if c.Status != st || c.TeacherName != storage.FormerStaffName || c.Every != "" || len(c.Agenda) != 2 ||
			c.Agenda[0].ByName != storage.FormerStaffName || c.Agenda[1].ByName != stu.Name {
			t.Errorf("conference %d after Forget = %+v, want %s with a former staff member", n, c, st)
		}
	}
	clk.Advance(30 * 24 * time.Hour)
	if roll, err := s.ConferencesToRoll(ctx, clk.Now(), 0); err != nil || len(roll) != 0 {
		t.Errorf("a standing 1:1 of a forgotten teacher still rolls: %+v, %v", roll, err)
	}
	log, err := s.AuditLog(ctx, stu.ID, 0)
	must(t, "AuditLog", err)
	if len(log) != 2 || log[0].Action != "view_plan" || log[1].Action != "feedback" ||
		log[0].ActorName != storage.FormerStaffName || log[1].ActorName != storage.FormerStaffName ||
		log[0].ActorID != storage.FormerStaffID || log[1].ActorID != storage.FormerStaffID {
		t.Errorf("the student's audit after Forget = %+v, want the read and the feedback (its own entry), by a former staff member", log)
	}
}

func TestErasureLogRestore(t *testing.T) {
	ctx := context.Background()
	live, _ := newStore(t)
	if l, err := live.ErasureLog(ctx); err != nil || l.Key != "" || len(l.Erasures) != 0 {
		t.Fatalf("ErasureLog before any erasure = %+v, %v", l, err)
	}
	// The backup was taken while both students were still here.
	backup, backupClock := newStore(t)
	for _, s := range []*storage.Store{live, backup} {
		tch := mustUser(t, s, "T", "Ms. Rivera", plpbot.RoleTeacher)
		class := mustClass(t, s, "Bio", tch.ID)
		for _, p := range []string{"G", "K"} {
			seedPerson(t, s, mustUser(t, s, p, "student "+p, ""), tch.ID, class.ID)
		}
	}
	gone := slackID("G").UserID()
	_, err := live.Forget(ctx, gone, admin)
	must(t, "Forget", err)
	log, err := live.ErasureLog(ctx)
	must(t, "ErasureLog", err)
	if len(log.Key) != 64 || len(log.Erasures) != 1 || strings.Contains(fmt.Sprint(log), gone) {
		t.Fatalf("ErasureLog = %+v, want a key and one record that doesn't name them", log)
	}

	// Restoring the backup brings G back; applying the log erases them again.
	backupClock.Advance(time.Hour)
	n, err := backup.ApplyErasureLog(ctx, log, storage.Eraser{ID: "plpbot:restore", Name: "the restore"})
	must(t, "ApplyErasureLog", err)
	if n != 1 {
		t.Errorf("ApplyErasureLog erased %d people, want 1", n)
	}
	if left := docsMentioning(t, backup, gone); len(left) > 0 {
		t.Errorf("after ApplyErasureLog, documents still hold the person: %v", left)
	}
	if _, err := backup.User(ctx, slackID("K").UserID()); err != nil {
		t.Errorf("ApplyErasureLog erased someone else: %v", err)
	}
	erased, err := backup.Erasures(ctx, gone)
	must(t, "Erasures", err)
	if len(erased) != 2 || erased[0].ByName != "the restore" || erased[1].ByName != admin.Name {
		t.Errorf("erasure records after the restore = %+v, want the restore's and the original", erased)
	}
	if n, err := backup.ApplyErasureLog(ctx, log, admin); err != nil || n != 0 {
		t.Errorf("ApplyErasureLog again = %d, %v; want nothing to do", n, err)
	}
	if l2, _ := backup.ErasureLog(ctx); len(l2.Erasures) != 2 {
		t.Errorf("applying the log twice duplicated its records: %+v", l2.Erasures)
	}

	other := log
	other.Key = strings.Repeat("ab", 32)
	if _, err := backup.ApplyErasureLog(ctx, other, admin); !errors.Is(err, storage.ErrOtherKey) {
		t.Errorf("ApplyErasureLog with another key: %v, want ErrOtherKey", err)
	}
}
