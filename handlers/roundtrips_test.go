package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/roster/rostertest"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// command is one driver command seen by the monitor: its name, the
// collection it names, and when it started and finished.
type command struct {
	name, coll    string
	start, finish time.Time
}

func (c command) String() string {
	if c.coll == "" {
		return c.name
	}
	return c.name + ":" + c.coll
}

// commandLog records the commands the driver sends while on.
type commandLog struct {
	mu      sync.Mutex
	on      bool
	cmds    []command
	pending map[int64]int // request id → index in cmds
}

func (l *commandLog) monitor() *event.CommandMonitor {
	done := func(id int64) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if i, ok := l.pending[id]; ok {
			l.cmds[i].finish = time.Now()
			delete(l.pending, id)
		}
	}
	return &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			l.mu.Lock()
			defer l.mu.Unlock()
			if !l.on {
				return
			}
			coll, _ := e.Command.Lookup(e.CommandName).StringValueOK()
			l.pending[e.RequestID] = len(l.cmds)
			l.cmds = append(l.cmds, command{name: e.CommandName, coll: coll, start: time.Now()})
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { done(e.RequestID) },
		Failed:    func(_ context.Context, e *event.CommandFailedEvent) { done(e.RequestID) },
	}
}

func (l *commandLog) start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on, l.cmds, l.pending = true, nil, map[int64]int{}
}

func (l *commandLog) stop() []command {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	return l.cmds
}

// steps is the number of sequential steps in cmds: the longest chain of
// commands each started after the one before it finished. Commands in
// flight together count as one step.
func steps(cmds []command) int {
	depth := make([]int, len(cmds))
	longest := 0
	for i, c := range cmds {
		depth[i] = 1
		for j := 0; j < i; j++ {
			if !cmds[j].finish.IsZero() && !cmds[j].finish.After(c.start) && depth[j]+1 > depth[i] {
				depth[i] = depth[j] + 1
			}
		}
		longest = max(longest, depth[i])
	}
	return longest
}

// rereads lists the collections cmds read more than once.
func rereads(cmds []command) []string {
	seen := map[string]int{}
	var twice []string
	for _, c := range cmds {
		if c.name != "find" && c.name != "aggregate" && c.name != "count" {
			continue
		}
		if seen[c.coll]++; seen[c.coll] == 2 {
			twice = append(twice, c.coll)
		}
	}
	return twice
}

// requests are cmds in the order sent, for a failure message.
func requests(cmds []command) string { return fmt.Sprint(cmds) }

// TestRoundTripBudgets counts the driver's commands for each write, with
// the writer's record read a moment before (the actor cache), and holds the
// issue's budget of 2 for a student's writes, over the wire (MongoDB's way)
// and on the embedded database, which reads and writes some of them in its
// files (fewer commands; the files column): check-in (over the wire the
// goal's update and the check-in's insert, sent together; in the files one
// transaction and no command), goal add (the student's latest goal, which
// both catches a repeat and numbers the new one — read from the files on
// the embedded database — then the insert), step add, reflect (alone, and
// as the answer to a prompt: the prompt is found and marked answered in one
// request).
//
// A teacher's feedback is held at 2 requests in 2 steps. Access is decided
// from current records, read at the moment of use, but for a teacher the
// decision (plpbot.CanActFor) needs only the ids and the ties: the
// teacher's own teacher enrollments and the student's (enrollments), read
// alone, keyed on the id the mention most likely names. Then, access
// confirmed, one findAndModify pushes the feedback onto its goal (goals):
// it proves the goal exists, returns its title for the reply, and is the
// audit log's entry of that access (storage.ActionFeedback), durable
// before the reply. The student's record is not read: the reply names them
// as the mention does and the DM goes to the mentioned account. Ties that
// come back empty fall back to the full path (the student's record and the
// ties read again with its id, refused and audited as before): nothing is
// written before access is confirmed. Nothing denormalized stands in for
// the ties: a list of ids on a record is an index, never a grant
// (storage/teachers.go).
//
// A counselor's caseload rules need the student's grade and name, so their
// record is read with the counselor's caseload (users, caseloads), then the
// push: 3 in 2. The caseload decides what they may see as their role does,
// and is kept in memory as long as their record (storage.AccessCaseload):
// read a moment before, it costs no request, 2 in 2. A student the
// caseload doesn't include (a counselor may also teach them) goes the full
// way, with the enrollments. An admin may see every plan: the student's
// record (are they there), then the push: 2 in 2.
//
// In a school whose people come from the SIS roster, a mention names a chat
// account linked to the roster's person, whose id differs. A link read
// lately (the student's own last command read it) is known, so the ties
// and the push are keyed on the person's id from the start: 2 in 2, as for
// anyone; and a linked actor's own record comes from the actor cache too.
func TestRoundTripBudgets(t *testing.T) {
	for _, wire := range []bool{false, true} {
		t.Run(map[bool]string{false: "embedded files", true: "over the wire"}[wire], func(t *testing.T) {
			testRoundTripBudgets(t, wire)
		})
	}
}

func testRoundTripBudgets(t *testing.T, wire bool) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var log commandLog
	opts := storagetest.Options(t)
	opts.Now, opts.Monitor = clock, log.monitor()
	if wire {
		opts.FerretDBDir = "" // the store then reads and writes only through the driver
	}
	store := storagetest.Open(t, opts)
	e := &env{t: t, store: store, now: now}
	e.h = handlers.New(store, handlers.Options{Now: clock, DefaultTimeZone: "UTC"})
	e.setupClass("Sam")
	e.ok("Sam", "goal add Read three novels")
	e.ok("Sam", "step add 1 Pick the first one")
	e.ok("admin", "role @mx-rivera counselor")
	e.ok("admin", "caseload @mx-rivera last:a-z")
	// The SIS's people, linked to chat accounts on first use: staff-0
	// teaches stu-0 (rostertest.Small).
	e.importSmall()
	e.ok(rostertest.StaffID(0), "help")
	e.ok(rostertest.StudentID(0), "goal add Read a play")
	prompt := func() {
		if err := store.SavePrompt(context.Background(), storage.Prompt{ID: "reflect|2026-W48|console::sam",
			UserID: "console::sam", Text: "What did you learn this week?", SentAt: now.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		who, line string
		before    func() // what the write answers, if anything
		want      string // in the reply
		requests  int
		files     int // budget on the embedded database's files
		steps     int // budget of sequential steps, if held (0: not)
	}{
		{"Sam", "checkin 1 40%", nil, "at 40%", 2, 0, 0},
		{"Sam", "goal add Learn to juggle", nil, "Goal 2 added", 2, 1, 0},
		{"Sam", "goal add Learn to juggle", nil, "didn't add it twice", 2, 1, 0},
		{"Sam", "step add 1 Read chapter one", nil, "Read chapter one", 1, 1, 0},
		{"Sam", "reflect Reading got easier this week", nil, "saved it to your plan", 2, 2, 0},
		{"Sam", "reflect I liked the second chapter best", prompt, "your answer to", 2, 2, 0},
		{"ms-lee", "feedback @Sam 1 Lovely choice of book", nil, "saved in their plan", 2, 2, 2},
		{"mx-rivera", "feedback @Sam 1 Keep going", nil, "saved in their plan", 3, 3, 2},
		// Their caseload read a moment before (by the line above), as their record was.
		{"mx-rivera", "feedback @Sam 1 And the next chapter?", nil, "saved in their plan", 2, 2, 2},
		{"admin", "feedback @Sam 1 Well done", nil, "saved in their plan", 2, 2, 2},
		{rostertest.StaffID(0), "feedback @" + rostertest.StudentID(0) + " 1 Nice start", nil, "saved in their plan", 2, 2, 2},
	} {
		if !wire {
			tc.requests = tc.files
		}
		if tc.before != nil {
			tc.before()
		}
		e.ok(tc.who, "help") // the actor is read now, as by their previous command
		log.start()
		out := e.ok(tc.who, tc.line)
		got := log.stop()
		mustContain(t, out, tc.want)
		n := steps(got)
		if tc.steps > 0 {
			// Steps are structural, so the fewest of three runs is the
			// write's: a goroutine the machine was slow to start only adds one.
			for range 2 {
				e.ok(tc.who, "help")
				log.start()
				e.ok(tc.who, tc.line)
				if run := log.stop(); steps(run) < n {
					got, n = run, steps(run)
				}
			}
		}
		t.Logf("%-6s %-40s %d requests, %d steps %v", tc.who, tc.line, len(got), n, got)
		if len(got) > tc.requests {
			t.Errorf("%s: /plp %s: %d requests %v, budget %d", tc.who, tc.line, len(got), got, tc.requests)
		}
		if tc.steps > 0 && n > tc.steps {
			t.Errorf("%s: /plp %s: %d sequential steps %v, budget %d", tc.who, tc.line, n, got, tc.steps)
		}
	}
}

// TestViewRoundTrips holds the views' budgets in a class of 20 and of 200,
// each viewer's record read a moment before (the actor cache) on a warm
// pool: no collection read twice, and at most 3 sequential steps — reads
// that don't depend on each other are sent together — whatever the class
// size. The staff views are a teacher's and a counselor's whose caseload
// (every last name) is the whole school. Each is typed in the class's
// channel and in a DM (no class named, so the teacher's class is picked:
// the only one, the one running when last term's is archived, or "which
// one?" when two run), and in a channel linked to someone else's class.
// The classes belong to terms, so the archived note reads one.
func TestViewRoundTrips(t *testing.T) {
	for _, n := range []int{20, 200} {
		t.Run(fmt.Sprintf("class of %d", n), func(t *testing.T) {
			if n > 20 && testing.Short() {
				t.Skip("a class of 200 takes a few seconds to set up")
			}
			testViewRoundTrips(t, n)
		})
	}
}

// viewCase is one view typed by who, in a DM or in the class channel, and
// what its reply must say.
type viewCase struct {
	who, line string
	dm        bool
	want      string
}

func testViewRoundTrips(t *testing.T, size int) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var log commandLog
	opts := storagetest.Options(t)
	opts.Now, opts.Monitor = clock, log.monitor()
	store := storagetest.Open(t, opts)
	e := &env{t: t, store: store, now: now}
	e.h = handlers.New(store, handlers.Options{Now: clock, DefaultTimeZone: "UTC"})
	setupViews(e, size)
	warmPool(t, e, "ms-lee", "student @s000")
	for _, tc := range []viewCase{
		{"s000", "plan", false, "Read three novels"},
		{"s000", "plan", true, "Read three novels"},
		{"s000", "goal list", false, "Read three novels"},
		{"s000", "goal list", true, "Read three novels"},
		{"s000", "conference list", false, "Wed 2 Dec"},
		{"s000", "conference list", true, "Wed 2 Dec"},
		{"ms-lee", "roster", false, "Roster · Period 3"},
		{"ms-lee", "roster", true, "Roster · Period 3"},
		{"ms-lee", "roster Period 3", false, "Roster · Period 3"},
		{"ms-lee", "roster Period 3", true, "Roster · Period 3"},
		{"ms-lee", "student @s000", false, "s000's plan"},
		{"ms-lee", "student @s000", true, "s000's plan"},
		{"ms-lee", "conference list", false, "Your conferences"},
		{"ms-lee", "conference list", true, "Your conferences"},
		{"mx-rivera", "roster", false, "Your caseload"},
		{"mx-rivera", "roster", true, "Your caseload"},
		{"mx-rivera", "student @s001", false, "s001's plan"},
		{"mx-rivera", "student @s001", true, "s001's plan"},
		{"mx-rivera", "conference list", false, "Your conferences"},
		{"mx-rivera", "conference list", true, "Your conferences"},
		{"ms-ito", "roster", true, "Roster · Advisory"},
		{"mr-kim", "roster", true, "Roster · Period 5"},
		{"mr-kim", "roster", false, "Roster · Period 5"}, // #general is Period 3's, not his
		{"mr-kim", "roster Period 1", true, "Roster · Period 1 (archived)"},
		{"ms-park", "roster", true, "You teach 2 classes: Period 6 and Period 7. Which one?"},
	} {
		// Steps are structural, so the fewest of three runs is the view's:
		// a goroutine the machine was slow to start only adds one.
		var got []command
		n := 0
		for i := range 3 {
			e.ok(tc.who, "help") // the actor is read now, as by their previous command
			log.start()
			out := e.view(tc)
			run := log.stop()
			if i == 0 {
				mustContain(t, out, tc.want)
			}
			if k := steps(run); i == 0 || k < n {
				got, n = run, k
			}
		}
		where := "channel"
		if tc.dm {
			where = "DM"
		}
		t.Logf("%-9s %-18s %-7s %2d requests, %d steps %v", tc.who, tc.line, where, len(got), n, got)
		if twice := rereads(got); len(twice) > 0 {
			t.Errorf("%s: /plp %s in a %s reads %v more than once: %s", tc.who, tc.line, where, twice, requests(got))
		}
		if n > 3 {
			t.Errorf("%s: /plp %s in a %s takes %d sequential steps (budget 3): %s", tc.who, tc.line, where, n, requests(got))
		}
	}
}

// setupViews makes the school of TestViewRoundTrips: a class of size
// students (Period 3, ms-lee's, linked to #general) in the term running
// now; a counselor whose caseload is everyone, who has a conference, and
// one who also teaches a class of them all (Advisory); mr-kim teaching
// them all in Period 5 now, and three of them in Period 1 last term
// (archived); ms-park teaching two classes of three running now.
func setupViews(e *env, size int) {
	e.t.Helper()
	students := make([]string, size)
	for i := range students {
		students[i] = fmt.Sprintf("s%03d", i)
	}
	e.setupClass(students...)
	all := "@" + strings.Join(students, " @")
	e.ok("admin", "term add Fall 2026 2026-08-24 2026-12-18")
	e.ok("admin", "term add Spring 2026 2026-01-12 2026-05-29")
	few := "@s000 @s001 @s002"
	e.ok("ms-lee", "class term Fall 2026")
	for _, c := range []struct{ teacher, role, class, term, students string }{
		{"mr-kim", "teacher", "Period 5", "Fall 2026", all},
		{"mr-kim", "teacher", "Period 1", "Spring 2026", few},
		{"ms-park", "teacher", "Period 6", "Fall 2026", few},
		{"ms-park", "teacher", "Period 7", "Fall 2026", few},
		{"ms-ito", "counselor", "Advisory", "Fall 2026", all},
	} {
		e.ok("admin", "role @"+c.teacher+" "+c.role)
		e.ok(c.teacher, "class create "+c.class+" term:"+c.term)
		e.ok(c.teacher, "class add "+c.students+" class:"+c.class)
	}
	for _, couns := range []string{"mx-rivera", "ms-ito"} {
		e.ok("admin", "role @"+couns+" counselor")
		e.ok("admin", "caseload @"+couns+" last:a-z")
	}
	e.ok("s000", "goal add Read three novels")
	e.ok("s000", "checkin 1 40%")
	e.ok("s000", "reflect Reading got easier this week")
	e.ok("ms-lee", "conference @s000 2026-12-02 10:30 goals check")
	e.ok("mx-rivera", "conference @s001 2026-12-03 10:30 how it's going")
}

// view runs tc's command, in a DM or in #general, and returns the replies'
// text, or the refusal's when it is one the person is meant to read.
func (e *env) view(tc viewCase) string {
	e.t.Helper()
	run := e.run
	if tc.dm {
		run = e.dm
	}
	msgs, err := run(tc.who, tc.line)
	if _, ok := bot.AsUserError(err); ok {
		return bot.ErrorMessage(err).PlainText()
	}
	if err != nil {
		e.t.Fatalf("%s: /plp %s: %v", tc.who, tc.line, err)
	}
	return plain(msgs)
}

// warmPool runs line as who many times at once, so the driver's pool holds
// the connections a running server would (it dials at most two at a time,
// which would otherwise serialize a cold test's concurrent reads).
func warmPool(t *testing.T, e *env, who, line string) {
	t.Helper()
	var g sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		g.Add(1)
		go func() {
			defer g.Done()
			if _, err := e.run(who, line); err != nil {
				errs <- err
			}
		}()
	}
	g.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("warm the pool: %v", err)
	}
}

// TestFeedbackToALinkNotYetKnown: a teacher mentions an SIS-linked student
// whose link this replica hasn't read yet (it started a moment ago), so
// the ties read keyed on the mention's own id come back empty. Nothing is
// written then: the full path reads the student (following the link) and
// the ties again with their id, and only then pushes the feedback, once,
// onto the roster person's goal. It costs more than the 2 of a link
// already known; the counts are logged.
func TestFeedbackToALinkNotYetKnown(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	opts := storagetest.Options(t)
	opts.Now, opts.FerretDBDir = clock, ""
	store := storagetest.Open(t, opts)
	e := &env{t: t, store: store, now: now}
	e.h = handlers.New(store, handlers.Options{Now: clock, DefaultTimeZone: "UTC"})
	e.setupClass("Sam")
	e.importSmall()
	e.ok(rostertest.StudentID(0), "goal add Read a play") // links console::stu-0 to its roster person
	e.ok("ms-lee", "class add @"+rostertest.StudentID(0))

	// A replica that has read no link yet.
	var log commandLog
	opts.Monitor = log.monitor()
	fresh := &env{t: t, store: storagetest.Open(t, opts), now: now}
	fresh.h = handlers.New(fresh.store, handlers.Options{Now: clock, DefaultTimeZone: "UTC"})
	fresh.ok("ms-lee", "help")
	log.start()
	out := fresh.ok("ms-lee", "feedback @"+rostertest.StudentID(0)+" 1 Nice start")
	got := log.stop()
	mustContain(t, out, "Read a play", "saved in their plan")
	t.Logf("ms-lee feedback @%s (link not yet known): %d requests, %d steps %v", rostertest.StudentID(0), len(got), steps(got), got)
	for i, c := range got {
		if c.name != "find" && i != len(got)-1 {
			t.Errorf("%v written before access was confirmed: %v", c, got)
		}
	}
	fb, err := store.FeedbackFor(context.Background(), "roster:"+rostertest.StudentID(0), time.Time{}, 0)
	if err != nil || len(fb) != 1 || fb[0].Text != "Nice start" {
		t.Errorf("the roster person's feedback = %+v, %v; want it once", fb, err)
	}
}
