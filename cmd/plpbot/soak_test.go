package main

import (
	"bufio"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Soak shape: 48 students in two classes of 24, each class with its
// teacher, all on Slack.
const (
	soakStudents   = 48
	soakTeachers   = 2
	soakMaxRun     = 10 * time.Minute // PLPBOT_SOAK is capped here
	soakWait       = 30 * time.Second // an answer later than this is an error
	soakSampleRSS  = 5 * time.Second
	soakWindow     = 10 * time.Second // latency is also shown per window, to see a trend
	soakMaxGrowth  = 1.25             // resident memory may end at most 25 % above where it started
	soakGrowthSlop = 8 << 20
)

// soakUser is one simulated person.
type soakUser struct {
	id      string // Slack user id
	channel string // where their slash commands are typed
	teacher bool
	rng     *rand.Rand
	seq     int
}

// soakResult is what one user saw.
type soakResult struct {
	latencies map[string][]time.Duration // by action, from the POST to the first answer
	acks      []time.Duration            // from the POST to Slack's 200
	windows   map[int][]time.Duration    // by soakWindow the request started in
	errors    []string
}

// BenchmarkSoak is 50 simulated Slack users (48 students, 2 teachers)
// using plpbot as production runs it — Main in Slack's HTTP mode on the
// embedded database, signed POSTs to /slack/commands and /slack/events on
// http.addr, answers at a local Slack fake — for PLPBOT_SOAK (such as 60s).
// Students check in, list goals, read their plan and DM reflections;
// teachers read their class roster. Each user waits for the answer to one
// request before the next (plus PLPBOT_SOAK_THINK, default none: the bot
// runs flat out). It reports throughput, p50/p99 latency to the answer, the
// ack latency Slack's 3 s limit applies to, errors (must be none) and
// resident memory at the start and end (must not grow). Loopback only.
//
//	PLPBOT_SOAK=60s go test -run '^$' -bench Soak -benchtime 1x ./cmd/plpbot
func BenchmarkSoak(b *testing.B) {
	dur, think := soakSettings(b)
	fake := newSlackFake(b)
	m, client := startSlack(b, fake)
	users := soakSetup(b, client, fake)
	base := "http://" + m.HTTPAddr()
	rssIdle := soakRSS(b)
	// Warm up with the same load, so the start is the working set the bot
	// settles into (caches, connections, the heap's target), not the empty
	// process: growth after that is what a leak would show.
	warm, _, _ := soakRun(users, client, fake, soakWarmUp(dur), think)
	for _, r := range warm {
		if len(r.errors) > 0 {
			b.Fatalf("warm-up: %s", r.errors[0])
		}
	}
	before := scrapeOutcomes(b, base)
	rssStart := soakRSS(b)
	goStart := runtime.NumGoroutine()
	b.Logf("resident memory: %d MB before any load, %d MB after the warm-up", rssIdle>>20, rssStart>>20)
	b.ResetTimer()
	results, elapsed, rssSeries := soakRun(users, client, fake, dur, think)
	b.StopTimer()
	after := scrapeOutcomes(b, base)
	rssEnd := soakRSS(b)
	soakReport(b, results, elapsed, rssStart, rssEnd, rssSeries, goStart, before, after)
}

// soakWarmUp is a sixth of the run, 5 to 20 seconds.
func soakWarmUp(dur time.Duration) time.Duration {
	return min(max(dur/6, 5*time.Second), 20*time.Second)
}

// soakSettings reads PLPBOT_SOAK (skip when unset) and PLPBOT_SOAK_THINK.
func soakSettings(b *testing.B) (dur, think time.Duration) {
	v := os.Getenv("PLPBOT_SOAK")
	if v == "" {
		b.Skip("set PLPBOT_SOAK=60s to run the soak")
	}
	dur, err := time.ParseDuration(v)
	if err != nil || dur <= 0 {
		b.Fatalf("PLPBOT_SOAK=%q: want a duration such as 60s", v)
	}
	if dur > soakMaxRun {
		b.Logf("PLPBOT_SOAK capped at %s", soakMaxRun)
		dur = soakMaxRun
	}
	if v := os.Getenv("PLPBOT_SOAK_THINK"); v != "" {
		if think, err = time.ParseDuration(v); err != nil || think < 0 {
			b.Fatalf("PLPBOT_SOAK_THINK=%q: want a duration such as 2s", v)
		}
	}
	return dur, think
}

// soakSetup makes the school through the same endpoints: the admin (U0)
// names two teachers, each creates a class in their channel and adds 24
// students, and every student adds a goal. It returns the 50 users.
func soakSetup(b *testing.B, c *slackClient, fake *slackFake) []*soakUser {
	b.Helper()
	do := func(user, channel, text string) string {
		b.Helper()
		key := fmt.Sprintf("setup-%s-%d", user, time.Now().UnixNano())
		if err := c.command(user, channel, text, key); err != nil {
			b.Fatalf("%s: %v", text, err)
		}
		r, err := fake.await(key, soakWait)
		fake.forget(key)
		if err != nil || strings.Contains(r.Text, "went wrong") {
			b.Fatalf("%s: %v %s", text, err, r.Text)
		}
		return r.Text
	}
	var users []*soakUser
	for t := 1; t <= soakTeachers; t++ {
		tid, ch := fmt.Sprintf("UT%d", t), fmt.Sprintf("C%d", t)
		do("U0", "D0", fmt.Sprintf("role <@%s> teacher", tid))
		do(tid, ch, fmt.Sprintf("class create Period %d", t))
		var mentions []string
		for s := range soakStudents / soakTeachers {
			sid := fmt.Sprintf("US%02d", (t-1)*soakStudents/soakTeachers+s)
			mentions = append(mentions, "<@"+sid+">")
			users = append(users, &soakUser{id: sid, channel: "D" + sid, rng: rand.New(rand.NewPCG(uint64(len(users)), 7))})
		}
		if got := do(tid, ch, "class add "+strings.Join(mentions, " ")); !strings.Contains(got, "Added to Period") {
			b.Fatalf("class add: the students weren't added: %.300s", got)
		}
		users = append(users, &soakUser{id: tid, channel: ch, teacher: true, rng: rand.New(rand.NewPCG(uint64(len(users)), 7))})
	}
	for _, u := range users {
		if !u.teacher {
			do(u.id, u.channel, "goal add Read three novels this term category:academic by:2027-05-30")
		}
	}
	return users
}

// act does one thing a person would: a teacher reads the roster; a student
// checks in (35 %), lists goals (20 %), reads the plan (20 %) or DMs a
// reflection (25 %). It returns the time to the ack and to the answer.
func (u *soakUser) act(c *slackClient, fake *slackFake) (ack, answer time.Duration, action string, err error) {
	u.seq++
	key := fmt.Sprintf("%s-%d", u.id, u.seq)
	start := time.Now()
	switch p := u.rng.IntN(100); {
	case u.teacher:
		action, err = "roster", c.command(u.id, u.channel, "roster", key)
	case p < 35:
		action, err = "checkin", c.command(u.id, u.channel, fmt.Sprintf("checkin 1 %d%% read another chapter", 10+u.rng.IntN(91)), key)
	case p < 55:
		action, err = "goal list", c.command(u.id, u.channel, "goal list", key)
	case p < 75:
		action, err = "plan", c.command(u.id, u.channel, "plan", key)
	default:
		key = "D" + u.id
		action, err = "reflect DM", c.dm(u.id, "Ev"+strings.ReplaceAll(key, "-", "")+strconv.Itoa(u.seq),
			"Today I read twenty pages and the ending surprised me")
	}
	ack = time.Since(start)
	if err != nil {
		return ack, 0, action, err
	}
	r, err := fake.await(key, soakWait)
	if key != "D"+u.id {
		fake.forget(key)
	}
	if err != nil {
		return ack, 0, action, err
	}
	if strings.Contains(r.Text, "went wrong") {
		return ack, 0, action, fmt.Errorf("an error answer: %.200s", r.Text)
	}
	if action == "roster" && !strings.Contains(r.Text, fmt.Sprintf("%d students", soakStudents/soakTeachers)) {
		return ack, 0, action, fmt.Errorf("a roster listing no student: %.200s", r.Text)
	}
	return ack, r.At.Sub(start), action, nil
}

// soakRun runs every user until dur has passed; it returns what each saw,
// the time it took and resident memory sampled along the way.
func soakRun(users []*soakUser, c *slackClient, fake *slackFake, dur, think time.Duration) ([]soakResult, time.Duration, []int64) {
	results := make([]soakResult, len(users))
	start := time.Now()
	end := start.Add(dur)
	var wg sync.WaitGroup
	for i, u := range users {
		results[i].latencies = map[string][]time.Duration{}
		results[i].windows = map[int][]time.Duration{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[i]
			for time.Now().Before(end) {
				w := int(time.Since(start) / soakWindow)
				ack, lat, action, err := u.act(c, fake)
				r.acks = append(r.acks, ack)
				if err != nil {
					r.errors = append(r.errors, fmt.Sprintf("%s %s: %v", u.id, action, err))
					continue
				}
				r.latencies[action] = append(r.latencies[action], lat)
				r.windows[w] = append(r.windows[w], lat)
				if think > 0 {
					time.Sleep(think)
				}
			}
		}()
	}
	var rss []int64
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(soakSampleRSS)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return results, time.Since(start), rss
		case <-tick.C:
			if v, err := readRSS(); err == nil {
				rss = append(rss, v)
			}
		}
	}
}

// soakReport prints the figures and fails on any error or memory growth.
func soakReport(b *testing.B, results []soakResult, elapsed time.Duration, rssStart, rssEnd int64, rssSeries []int64,
	goStart int, before, after map[string]float64) {
	var lat, acks []time.Duration
	var errs []string
	byAction := map[string][]time.Duration{}
	windows := map[int][]time.Duration{}
	for _, r := range results {
		for w, ls := range r.windows {
			windows[w] = append(windows[w], ls...)
		}
		for a, ls := range r.latencies {
			lat = append(lat, ls...)
			byAction[a] = append(byAction[a], ls...)
		}
		acks = append(acks, r.acks...)
		errs = append(errs, r.errors...)
	}
	slices.Sort(lat)
	slices.Sort(acks)
	n := len(lat)
	if n == 0 {
		b.Fatalf("no request answered; errors: %v", errs)
	}
	ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	pct := func(d []time.Duration, p float64) time.Duration { return d[min(len(d)-1, int(float64(len(d))*p))] }
	rate := float64(n) / elapsed.Seconds()
	var series []string
	for _, v := range rssSeries {
		series = append(series, strconv.FormatInt(v>>20, 10))
	}
	b.Logf("soak: %d users for %s: %d answered, %.1f a second", len(results), elapsed.Round(time.Second), n, rate)
	b.Logf("latency to the answer: p50 %s, p99 %s, max %s; Slack's ack: p50 %s, p99 %s, max %s",
		ms(pct(lat, .50)), ms(pct(lat, .99)), ms(lat[n-1]), ms(pct(acks, .50)), ms(pct(acks, .99)), ms(acks[len(acks)-1]))
	var per []string
	for _, a := range slices.Sorted(maps.Keys(byAction)) {
		d := byAction[a]
		slices.Sort(d)
		per = append(per, fmt.Sprintf("%s %d, p50 %s, p99 %s", a, len(d), ms(pct(d, .50)), ms(pct(d, .99))))
	}
	b.Logf("by action: %s", strings.Join(per, "; "))
	var trend []string
	for _, w := range slices.Sorted(maps.Keys(windows)) {
		d := windows[w]
		slices.Sort(d)
		trend = append(trend, fmt.Sprintf("%d/%s", len(d), ms(pct(d, .50))))
	}
	b.Logf("answered/p50 per %s: %s", soakWindow, strings.Join(trend, " "))
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	b.Logf("resident memory: %d MB at the start, %d MB at the end (every %s: %s MB), Go's heap in use %d MB of it; goroutines %d → %d",
		rssStart>>20, rssEnd>>20, soakSampleRSS, strings.Join(series, " "), mem.HeapInuse>>20, goStart, runtime.NumGoroutine())
	b.ReportMetric(rate, "answers/s")
	b.ReportMetric(float64(pct(lat, .50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(lat, .99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(rssStart>>20), "rss-start-MB")
	b.ReportMetric(float64(rssEnd>>20), "rss-end-MB")
	b.ReportMetric(float64(len(errs)), "errors")
	for _, o := range []string{"user_error", "internal_error"} {
		if d := after[o] - before[o]; d != 0 {
			b.Errorf("plpbot_commands_total{outcome=%q} grew by %v during the soak", o, d)
		}
	}
	if len(errs) > 0 {
		b.Errorf("%d errors, such as: %s", len(errs), strings.Join(errs[:min(5, len(errs))], "; "))
	}
	if float64(rssEnd) > soakMaxGrowth*float64(rssStart)+soakGrowthSlop {
		b.Errorf("resident memory grew from %d MB to %d MB", rssStart>>20, rssEnd>>20)
	}
}

// scrapeOutcomes sums plpbot_commands_total by outcome from /metrics.
func scrapeOutcomes(b *testing.B, base string) map[string]float64 {
	b.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "plpbot_commands_total{") {
			continue
		}
		_, rest, _ := strings.Cut(line, `outcome="`)
		outcome, rest, _ := strings.Cut(rest, `"`)
		v, _ := strconv.ParseFloat(strings.TrimSpace(rest[strings.LastIndex(rest, " ")+1:]), 64)
		out[outcome] += v
	}
	return out
}

// soakRSS is resident memory after a GC.
func soakRSS(b *testing.B) int64 {
	b.Helper()
	runtime.GC()
	v, err := readRSS()
	if err != nil {
		b.Skipf("resident memory: %v", err)
	}
	return v
}

// readRSS reads this process's resident memory (VmRSS) on Linux.
func readRSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}
