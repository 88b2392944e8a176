package storage_test

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

func TestAuditManyAndPages(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	must(t, "AuditMany of none", s.AuditMany(ctx, nil))
	// Day 1: one view. Day 2: a roster of 25 students, one bulk write.
	must(t, "Audit", s.Audit(ctx, plpbot.AuditEntry{ActorID: "t1", Action: "view_plan", SubjectID: "s1"}))
	day2 := clk.Now().Add(24 * time.Hour)
	clk.Advance(24 * time.Hour)
	var roster []plpbot.AuditEntry
	for i := range 25 {
		roster = append(roster, plpbot.AuditEntry{ActorID: "t1", ActorName: "Ms. Lee", Action: "roster",
			SubjectID: "s" + strconv.Itoa(i%5), Detail: "Period 3 #" + strconv.Itoa(i)})
	}
	must(t, "AuditMany", s.AuditMany(ctx, roster))

	for _, tt := range []struct {
		name        string
		since       time.Time
		skip, limit int
		wantDetails []string
		wantMore    bool
	}{
		// s1 has #1, #6, #11, #16, #21 of the roster and the day-1 view:
		// written together, the roster entries come newest-written first.
		{"first page", time.Time{}, 0, 2, []string{"Period 3 #21", "Period 3 #16"}, true},
		{"second page", time.Time{}, 2, 2, []string{"Period 3 #11", "Period 3 #6"}, true},
		{"last page", time.Time{}, 4, 2, []string{"Period 3 #1", ""}, false},
		{"exactly full", time.Time{}, 0, 6, []string{"Period 3 #21", "Period 3 #16", "Period 3 #11", "Period 3 #6", "Period 3 #1", ""}, false},
		{"since day 2", day2, 0, 10, []string{"Period 3 #21", "Period 3 #16", "Period 3 #11", "Period 3 #6", "Period 3 #1"}, false},
		{"past the end", time.Time{}, 10, 2, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			page, more, err := s.AuditPage(ctx, "s1", tt.since, tt.skip, tt.limit)
			must(t, "AuditPage", err)
			var got []string
			for _, e := range page {
				got = append(got, e.Detail)
			}
			if !slices.Equal(got, tt.wantDetails) || more != tt.wantMore {
				t.Errorf("page = %q more %v, want %q more %v", got, more, tt.wantDetails, tt.wantMore)
			}
		})
	}
	page, _, err := s.AuditPage(ctx, "s1", time.Time{}, 0, 1)
	must(t, "AuditPage", err)
	if e := page[0]; e.ActorName != "Ms. Lee" || e.Action != "roster" || e.ID == "" {
		t.Errorf("entry = %+v", e)
	}
	sameTime(t, "bulk entry At", page[0].At, day2)
}

func TestEachAudit(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	for i := range 4 {
		must(t, "Audit", s.Audit(ctx, plpbot.AuditEntry{ActorID: "t1", Action: "view_plan", SubjectID: "s1", Detail: strconv.Itoa(i)}))
		clk.Advance(time.Hour)
	}
	walk := func(since time.Time, stopAt int) ([]string, error) {
		var got []string
		err := s.EachAudit(ctx, since, func(e *plpbot.AuditEntry) error {
			if len(got) == stopAt {
				return errors.New("stop")
			}
			got = append(got, e.Detail)
			return nil
		})
		return got, err
	}
	got, err := walk(time.Time{}, -1)
	must(t, "EachAudit", err)
	if !slices.Equal(got, []string{"0", "1", "2", "3"}) {
		t.Errorf("all = %v, want oldest first", got)
	}
	got, err = walk(t0.Add(2*time.Hour), -1)
	must(t, "EachAudit since", err)
	if !slices.Equal(got, []string{"2", "3"}) {
		t.Errorf("since = %v", got)
	}
	if got, err = walk(time.Time{}, 1); err == nil || err.Error() != "stop" || len(got) != 1 {
		t.Errorf("stopping: got %v, err %v; want fn's error after one entry", got, err)
	}
}

// TestAuditIsAppendOnly reads the storage package's source: no function
// that names the audit collection, or the old feedback collection, may
// update, replace or delete documents, and one that names the goals'
// feedback (fieldFeedback: feedback is the audit log's entry of it,
// AddFeedback) may only push onto it — except in forget.go (erasure is the
// one exception the law asks for) and feedbackmove.go, which moves the old
// feedback collection's documents onto their goals, deleting each only
// once it is there.
func TestAuditIsAppendOnly(t *testing.T) {
	writes := []string{"UpdateOne", "UpdateMany", "UpdateByID", "ReplaceOne", "DeleteOne", "DeleteMany",
		"FindOneAndUpdate", "FindOneAndReplace", "FindOneAndDelete", "BulkWrite", "Drop",
		"deleteIDs", "setIDs", "byIDs", "ReplaceByID"}
	changes := []string{`"$set"`, `"$unset"`, `"$pull"`, `"$pop"`, `"$rename"`}
	files, err := filepath.Glob("*.go")
	must(t, "glob", err)
	fset := token.NewFileSet()
	checked, pushes := 0, 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "forget.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		must(t, "parse "+name, err)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			namesAudit, namesFeedback, wrote, changed := false, false, "", ""
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.Ident:
					namesAudit = namesAudit || n.Name == "colAudit" || n.Name == "colFeedback"
					namesFeedback = namesFeedback || n.Name == "fieldFeedback"
				case *ast.BasicLit:
					namesAudit = namesAudit || n.Value == `"audit"`
					namesFeedback = namesFeedback || n.Value == `"feedback"`
					if slices.Contains(changes, n.Value) {
						changed = n.Value
					}
				case *ast.SelectorExpr:
					if slices.Contains(writes, n.Sel.Name) {
						wrote = n.Sel.Name
					}
				}
				return true
			})
			if namesAudit {
				checked++
			}
			if namesAudit && wrote != "" && name != "feedbackmove.go" {
				t.Errorf("%s: %s names the audit or feedback collection and calls %s: the audit log is append-only (only forget.go may change it)",
					fset.Position(fn.Pos()), fn.Name.Name, wrote)
			}
			if namesFeedback && wrote != "" {
				pushes++
				if changed != "" {
					t.Errorf("%s: %s writes goals' feedback with %s: feedback is the audit log's entry of itself, only ever pushed (only forget.go may change it)",
						fset.Position(fn.Pos()), fn.Name.Name, changed)
				}
			}
		}
	}
	if checked < 4 || pushes < 2 {
		t.Fatalf("found only %d functions naming the audit collection, %d writing feedback: is the check still reading the right files?", checked, pushes)
	}
	otherPackagesKeepOut(t)
}

// otherPackagesKeepOut fails if code outside storage opens the audit
// collection directly (Store.Collection("audit")): it is reached only
// through the store's append and read methods.
func otherPackagesKeepOut(t *testing.T) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			lit, isLit := call.Args[0].(*ast.BasicLit)
			if ok && sel.Sel.Name == "Collection" && isLit && lit.Value == `"audit"` {
				t.Errorf("%s: opens the audit collection directly; use the store's audit methods", fset.Position(call.Pos()))
			}
			return true
		})
		return nil
	})
	must(t, "walk the module", err)
}

// BenchmarkAuditMany5000 is the audit of an admin's whole-school roster:
// 5,000 entries in one unordered bulk write.
func BenchmarkAuditMany5000(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	entries := make([]plpbot.AuditEntry, 5000)
	for i := range entries {
		entries[i] = plpbot.AuditEntry{ActorID: "slack:T1:UADMIN", ActorName: "Ms. Admin", Action: "roster",
			SubjectID: "slack:T1:U" + strconv.Itoa(i), Detail: "whole school"}
	}
	for b.Loop() {
		if err := s.AuditMany(ctx, entries); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFeedbackIsItsOwnAuditEntry: feedback names who gave it, to whom, on
// which goal and when, so it is the audit log's entry of that access: the
// log lists it among the others (by date, in pages, in the export's walk)
// as "feedback" on "goal N", never with its text, and no second entry is
// written. Feedback one gives oneself is not listed (one's own records are
// not audited), nor is feedback stored before this, which has an entry of
// its own.
func TestFeedbackIsItsOwnAuditEntry(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	rawGoal(t, s, "s1", 1)
	rawGoal(t, s, "s1", 2)
	rawGoal(t, s, "s2", 1)
	must(t, "Audit", s.Audit(ctx, plpbot.AuditEntry{ActorID: "t1", ActorName: "Ms. Lee", Action: "view_plan", SubjectID: "s1"}))
	clk.Advance(time.Hour)
	fb, _, err := s.AddFeedback(ctx, plpbot.Feedback{StudentID: "s1", StaffID: "t1", StaffName: "Ms. Lee", GoalNumber: 2, Text: "FB-secret lovely"})
	must(t, "AddFeedback", err)
	clk.Advance(time.Hour)
	_, _, err = s.AddFeedback(ctx, plpbot.Feedback{StudentID: "s2", StaffID: "t1", StaffName: "Ms. Lee", GoalNumber: 1, Text: "FB-other"})
	must(t, "AddFeedback s2", err)
	_, _, err = s.AddFeedback(ctx, plpbot.Feedback{StudentID: "s1", StaffID: "s1", StaffName: "Sol", GoalNumber: 1, Text: "FB-self"})
	must(t, "AddFeedback to oneself", err)
	clk.Advance(time.Hour)
	must(t, "Audit", s.Audit(ctx, plpbot.AuditEntry{ActorID: "t1", ActorName: "Ms. Lee", Action: "roster", SubjectID: "s1", Detail: "Period 3"}))

	log, err := s.AuditLog(ctx, "s1", 0)
	must(t, "AuditLog", err)
	if got := actionsOf(log); !slices.Equal(got, []string{"roster Period 3", "feedback goal 2", "view_plan "}) {
		t.Fatalf("s1's log = %q, want the feedback between the reads, once", got)
	}
	if e := log[1]; e.ID != fb.ID || e.ActorID != "t1" || e.ActorName != "Ms. Lee" || e.SubjectID != "s1" {
		t.Errorf("feedback's entry = %+v, want it to name the feedback, its giver and its student", e)
	}
	sameTime(t, "feedback's entry At", log[1].At, fb.At)
	for _, tt := range []struct {
		name        string
		since       time.Time
		skip, limit int
		want        []string
		more        bool
	}{
		{"first page", time.Time{}, 0, 1, []string{"roster Period 3"}, true},
		{"second page", time.Time{}, 1, 1, []string{"feedback goal 2"}, true},
		{"last page", time.Time{}, 2, 2, []string{"view_plan "}, false},
		{"since the feedback", t0.Add(30 * time.Minute), 0, 5, []string{"roster Period 3", "feedback goal 2"}, false},
	} {
		page, more, err := s.AuditPage(ctx, "s1", tt.since, tt.skip, tt.limit)
		must(t, "AuditPage "+tt.name, err)
		if got := actionsOf(page); !slices.Equal(got, tt.want) || more != tt.more {
			t.Errorf("%s: page = %q more %v, want %q more %v", tt.name, got, more, tt.want, tt.more)
		}
	}
	var walked []string
	must(t, "EachAudit", s.EachAudit(ctx, time.Time{}, func(e *plpbot.AuditEntry) error {
		walked = append(walked, e.SubjectID+" "+e.Action+" "+e.Detail)
		return nil
	}))
	if want := []string{"s1 view_plan ", "s1 feedback goal 2", "s2 feedback goal 1", "s1 roster Period 3"}; !slices.Equal(walked, want) {
		t.Errorf("the whole log, oldest first = %q, want %q", walked, want)
	}
	walked = nil
	must(t, "EachAudit since", s.EachAudit(ctx, t0.Add(90*time.Minute), func(e *plpbot.AuditEntry) error {
		walked = append(walked, e.SubjectID+" "+e.Action+" "+e.Detail)
		return nil
	}))
	if want := []string{"s2 feedback goal 1", "s1 roster Period 3"}; !slices.Equal(walked, want) {
		t.Errorf("the log since the second feedback = %q, want %q", walked, want)
	}
	// The feedback itself is unchanged, and not written twice.
	all, err := s.FeedbackFor(ctx, "s1", time.Time{}, 0)
	must(t, "FeedbackFor", err)
	if len(all) != 2 {
		t.Errorf("s1's feedback = %+v, want the two given", all)
	}
	if n, err := storagetest.Collection(t, s, "audit").CountDocuments(ctx, bson.D{{Key: "action", Value: "feedback"}}); err != nil || n != 0 {
		t.Errorf("%d separate feedback entries in the audit collection (%v), want none", n, err)
	}
}

// actionsOf is each entry's action and detail.
func actionsOf(log []plpbot.AuditEntry) []string {
	out := make([]string, len(log))
	for i, e := range log {
		out[i] = e.Action + " " + e.Detail
	}
	return out
}

// rawGoal stores goal n of userID as it is stored, past AddGoal (which
// wants the student's record).
func rawGoal(t *testing.T, s *storage.Store, userID string, n int) {
	t.Helper()
	_, err := storagetest.Collection(t, s, "goals").InsertOne(context.Background(), plpbot.Goal{ID: plpbot.GoalID(userID, n),
		UserID: userID, Number: n, Title: "Goal " + strconv.Itoa(n), Status: plpbot.GoalActive, Steps: []plpbot.Step{}})
	must(t, "insert goal", err)
}
