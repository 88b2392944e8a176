package storage

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage/embedded"
)

// A roster shows each student's goals at a glance: how many are active or
// done, their mean progress, the latest check-in. It reads them from the
// goals themselves, in one query sent together with the read of the
// students' records, so no write keeps a copy on the student (which cost
// every check-in and goal add a request).

// rosterProjection is what a roster reads of a user.
var rosterProjection = bson.D{
	{Key: "name", Value: 1}, {Key: "away_until", Value: 1}, {Key: "cant_dm", Value: 1},
	{Key: "shoutouts", Value: 1}, {Key: "flagged", Value: 1},
}

// goalSummaryProjection is what a roster reads of a goal: whose it is, its
// status and progress, and when a check-in last moved it.
var goalSummaryProjection = bson.D{
	{Key: "user_id", Value: 1}, {Key: "status", Value: 1}, {Key: "progress", Value: 1}, {Key: "last_checkin", Value: 1},
}

// manyStudents is how many students' goals are still picked with an $in of
// their ids; past it every goal is read and the others' dropped here. The
// embedded FerretDB compares each goal with every id of an $in (a school
// of 5,000 takes 9 s that way, against 2 s for reading them all), and on
// MongoDB the difference is small.
const manyStudents = 1000

// students names the students whose goals a roster reads: ids, or
// everyone whose id starts with one of prefixes (a workspace's, the roster
// import's), when who they are is known only once their records are read.
type students struct {
	ids      []string
	prefixes []string
}

// filter selects their goals in a find (past manyStudents ids, every goal).
func (st students) filter() bson.D {
	if len(st.prefixes) > 0 {
		or := make(bson.A, len(st.prefixes))
		for i, m := range st.matches() {
			or[i] = bson.D{{Key: m.Field, Value: bson.D{{Key: "$gte", Value: m.From}, {Key: "$lt", Value: m.To}}}}
		}
		return bson.D{{Key: "$or", Value: or}}
	}
	if len(st.ids) > manyStudents {
		return bson.D{}
	}
	return bson.D{{Key: "user_id", Value: bson.D{{Key: "$in", Value: st.ids}}}}
}

// matches select their goals in the database's files (embedded.Match):
// each prefix is the range of ids from it to the same text with its last
// character the next one ("slack:T1:" to "slack:T1;").
func (st students) matches() []embedded.Match {
	if len(st.prefixes) == 0 {
		ids := make([]any, len(st.ids))
		for i, id := range st.ids {
			ids[i] = id
		}
		return []embedded.Match{{Field: "user_id", Values: ids}}
	}
	out := make([]embedded.Match, len(st.prefixes))
	for i, p := range st.prefixes {
		out[i] = embedded.Match{Field: "user_id", From: p, To: p[:len(p)-1] + string(p[len(p)-1]+1)}
	}
	return out
}

// covers reports whether student id is one of st (always, for ids: those
// read are those asked for).
func (st students) covers(id string) bool {
	if len(st.prefixes) == 0 {
		return true
	}
	for _, p := range st.prefixes {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

// goalSummaries reads the status, progress and last check-in of the goals
// of st, by student. Where plpbot can read the database's files (its
// embedded database; a FerretDB with mongodb.ferretdb_dir), SQLite answers
// from the index on user_id, reading only those goals and only those
// fields (embedded.Server.Fields): FerretDB itself would read and decode
// every goal of the school. Elsewhere it is one find with a projection.
func (s *Store) goalSummaries(ctx context.Context, st students) (map[string][]plpbot.Goal, error) {
	rows, ok, err := s.readFiles(ctx, colGoals, st.matches(), "user_id", "status", "progress", "last_checkin")
	if !ok {
		return s.goalsWhere(ctx, st.filter(), goalSummaryProjection)
	}
	if err != nil {
		return nil, fmt.Errorf("read goals: %w", err)
	}
	out := map[string][]plpbot.Goal{}
	for _, r := range rows {
		id, _ := r[0].(string)
		status, _ := r[1].(string)
		g := plpbot.Goal{UserID: id, Status: plpbot.GoalStatus(status), Progress: int(number(r[2]))}
		if ms, ok := r[3].(int64); ok {
			g.LastCheckIn = time.UnixMilli(ms).UTC()
		}
		out[id] = append(out[id], g)
	}
	return out, nil
}

// number is a numeric value read from the database's files.
func number(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return 0
}

// readFiles reads fields of the documents of coll that match any of
// matches from the database's files (embedded.Server.Fields); ok is false
// when plpbot can't read them (a server of its own elsewhere).
func (s *Store) readFiles(ctx context.Context, coll string, matches []embedded.Match, fields ...string) (rows [][]any, ok bool, err error) {
	read := func(m embedded.Match) ([][]any, error) {
		return s.server.Fields(ctx, s.db.Name(), coll, m, fields...)
	}
	switch {
	case s.server != nil:
	case s.filesDir != "":
		read = func(m embedded.Match) ([][]any, error) {
			return embedded.FieldsAt(ctx, s.filesDir, s.db.Name(), coll, m, fields...)
		}
	default:
		return nil, false, nil
	}
	for _, m := range matches {
		more, err := read(m)
		if err != nil {
			return nil, true, err
		}
		rows = append(rows, more...)
	}
	return rows, true, nil
}

// goalsWhere reads the goals filter selects, with projection (nil: whole
// goals), by student.
func (s *Store) goalsWhere(ctx context.Context, filter, projection bson.D) (map[string][]plpbot.Goal, error) {
	opts := options.Find().SetBatchSize(rosterBatch)
	if projection != nil {
		opts.SetProjection(projection)
	}
	cur, err := s.db.Collection(colGoals).Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("read goals: %w", err)
	}
	var goals []plpbot.Goal
	if err := cur.All(ctx, &goals); err != nil {
		return nil, fmt.Errorf("read goals: %w", err)
	}
	out := map[string][]plpbot.Goal{}
	for _, g := range goals {
		out[g.UserID] = append(out[g.UserID], g)
	}
	return out, nil
}

// studentsRead is one read of students for a roster: the users a filter
// selects and the goals of students that covers them, sent together.
type studentsRead struct {
	users, userProjection bson.D
	goals                 students
	// full reads whole goals rather than their summaries.
	full bool
	// keep, if set, picks the students to keep of those read.
	keep func(*plpbot.Person) bool
}

// readStudents reads the students and goals of r at the same time and
// returns the students kept and their goals. The goals of a student that
// r.goals does not cover (whose id has none of its prefixes) are read
// after.
func (s *Store) readStudents(ctx context.Context, r studentsRead) ([]plpbot.Person, map[string][]plpbot.Goal, error) {
	var (
		people []plpbot.Person
		goals  map[string][]plpbot.Goal
	)
	readGoals := func(ctx context.Context, st students) (map[string][]plpbot.Goal, error) {
		if r.full {
			return s.goalsWhere(ctx, st.filter(), withoutFeedback)
		}
		return s.goalSummaries(ctx, st)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		cur, err := s.db.Collection(colUsers).Find(gctx, r.users,
			options.Find().SetBatchSize(rosterBatch).SetProjection(r.userProjection))
		if err != nil {
			return fmt.Errorf("read students: %w", err)
		}
		defer cur.Close(gctx)
		for cur.Next(gctx) {
			var u plpbot.Person
			if err := cur.Decode(&u); err != nil {
				return fmt.Errorf("read students: %w", err)
			}
			if r.keep == nil || r.keep(&u) {
				people = append(people, u)
			}
		}
		return cur.Err()
	})
	g.Go(func() (err error) { goals, err = readGoals(gctx, r.goals); return err })
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	var missed []string
	for i := range people {
		if !r.goals.covers(people[i].ID) {
			missed = append(missed, people[i].ID)
		}
	}
	if len(missed) > 0 {
		more, err := readGoals(ctx, students{ids: missed})
		if err != nil {
			return nil, nil, err
		}
		maps.Copy(goals, more)
	}
	return people, goals, nil
}

// rowsOf joins students and their goals into roster rows, ordered by name.
func rowsOf(people []plpbot.Person, goals map[string][]plpbot.Goal) []plpbot.RosterRow {
	if len(people) == 0 {
		return nil
	}
	out := make([]plpbot.RosterRow, len(people))
	for i := range people {
		out[i] = plpbot.RosterRowOf(&people[i], goals[people[i].ID])
	}
	plpbot.SortRoster(out)
	return out
}

// goalsOfPeople lists the goals of people, ordered by student and number
// (as GoalsOf).
func goalsOfPeople(people []plpbot.Person, goals map[string][]plpbot.Goal) []plpbot.Goal {
	var out []plpbot.Goal
	for i := range people {
		out = append(out, goals[people[i].ID]...)
	}
	slices.SortFunc(out, func(a, b plpbot.Goal) int {
		if c := strings.Compare(a.UserID, b.UserID); c != 0 {
			return c
		}
		return a.Number - b.Number
	})
	return out
}
