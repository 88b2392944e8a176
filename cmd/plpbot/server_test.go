package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitAddr waits until m serves HTTP and returns its base URL.
func waitAddr(t *testing.T, m *Main) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for m.HTTPAddr() == "" {
		if time.Now().After(deadline) {
			t.Fatal("no HTTP server")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "http://" + m.HTTPAddr()
}

// sample returns the value of the sample of /metrics whose name and labels
// are exactly series (such as `plpbot_lease_held{lease="scheduler-planner"}`),
// or -1 when there is none.
func sample(body, series string) float64 {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// waitMetric polls /metrics until series reaches at least want.
func waitMetric(t *testing.T, base, series string, want float64) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		_, body := get(t, base+"/metrics")
		if sample(body, series) >= want {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never reached %v:\n%s", series, want, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// readyzAnswer is /readyz's JSON.
type readyzAnswer struct {
	Ready    bool              `json:"ready"`
	Database string            `json:"database"`
	Adapters map[string]string `json:"adapters"`
	Planner  bool              `json:"planner"`
	Shards   any               `json:"shards"`
	NotReady []string          `json:"not_ready"`
}

func readyz(t *testing.T, base string) (int, readyzAnswer) {
	t.Helper()
	code, body := get(t, base+"/readyz")
	var a readyzAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("/readyz: %v in %q", err, body)
	}
	return code, a
}

// TestHealthAndMetricsInTheConsole: the console serves /healthz, /readyz and
// /metrics on http.addr; commands are counted by name and outcome as people
// type them, and a simulated week shows the scheduler's runs, deliveries,
// lease and outbox.
func TestHealthAndMetricsInTheConsole(t *testing.T) {
	p := start(t, "-config", writeConfig(t, t.TempDir()), "console")
	base := waitAddr(t, p.m)
	if code, body := get(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	for _, l := range []string{
		"/plp goal add Read three novels", // ok
		"/plp chekin 1 40%",               // a misspelt command: unknown, the person's mistake
		"/plp checkin 9 40%",              // no goal 9: the person's mistake
		"I finished the first book",       // a DM reflection
		"/plp plan",
	} {
		if _, err := io.WriteString(p.stdin, l+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	body := waitMetric(t, base, `plpbot_commands_total{command="plan",outcome="ok"}`, 1)
	for series, want := range map[string]float64{
		`plpbot_commands_total{command="goal add",outcome="ok"}`:        1,
		`plpbot_commands_total{command="unknown",outcome="user_error"}`: 1,
		`plpbot_commands_total{command="checkin",outcome="user_error"}`: 1,
		`plpbot_commands_total{command="dm",outcome="ok"}`:              1,
		`plpbot_command_duration_seconds_count{command="plan"}`:         1,
		`plpbot_lease_held{lease="scheduler-planner"}`:                  1,
		`plpbot_outbox_items{state="pending"}`:                          0,
	} {
		if got := sample(body, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if !strings.Contains(body, "process_resident_memory_bytes") || !strings.Contains(body, "go_goroutines") {
		t.Error("/metrics lacks the process and Go runtime collectors")
	}
	if strings.Contains(body, "novels") || strings.Contains(body, "first book") {
		t.Error("/metrics carries what a person typed")
	}

	code, ready := readyz(t, base)
	if code != http.StatusOK || !ready.Ready || ready.Database != "ok" || ready.Adapters["console"] != "connected" ||
		!ready.Planner || ready.Shards != nil || len(ready.NotReady) != 0 {
		t.Errorf("/readyz: %d %+v", code, ready)
	}

	// A simulated week: the class's reflection prompt goes out.
	for _, l := range []string{"/plp class create Period 3", "/plp class add @sam", ":advance 7d"} {
		if _, err := io.WriteString(p.stdin, l+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	body = waitMetric(t, base, `plpbot_deliveries_total{method="dm",outcome="sent",platform="console"}`, 1)
	for _, series := range []string{
		`plpbot_job_runs_total{job="reflect",outcome="planned"}`,
		`plpbot_job_runs_total{job="plan",outcome="ok"}`,
		`plpbot_outbox_items{state="sent"}`,
	} {
		if got := sample(body, series); got < 1 {
			t.Errorf("%s = %v, want at least 1", series, got)
		}
	}
	p.session() // end the input and wait for a clean exit
}

// TestSlackHTTPModeSharesTheServer: in Slack's HTTP mode one server on
// http.addr carries Slack's endpoints and /healthz, /readyz and /metrics.
func TestSlackHTTPModeSharesTheServer(t *testing.T) {
	fake := newSlackFake(t)
	m, client := startSlack(t, fake)
	base := "http://" + m.HTTPAddr()
	if err := client.command("U1", "D1", "goal add Learn to juggle", "c1"); err != nil {
		t.Fatal(err)
	}
	if r, err := fake.await("c1", 30*time.Second); err != nil || !strings.Contains(r.Text, "juggle") {
		t.Fatalf("answer: %+v, %v", r, err)
	}
	if err := client.dm("U1", "Ev1", "I practised with three balls"); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.await("DU1", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	body := waitMetric(t, base, `plpbot_commands_total{command="dm",outcome="ok"}`, 1)
	if got := sample(body, `plpbot_commands_total{command="goal add",outcome="ok"}`); got != 1 {
		t.Errorf("goal add counted %v times, want 1", got)
	}
	code, ready := readyz(t, base)
	if code != http.StatusOK || ready.Adapters["slack"] != "connected" || ready.Database != "ok" {
		t.Errorf("/readyz: %d %+v", code, ready)
	}
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
	// Slack's endpoints still refuse what isn't signed.
	resp, err := http.Post(base+"/slack/commands", "application/x-www-form-urlencoded", strings.NewReader("text=plan"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned command: %d, want 401", resp.StatusCode)
	}
}

// startSlack runs plpbot in Slack's HTTP mode against fake, with U0 as an
// admin, until the test ends.
func startSlack(tb testing.TB, fake *slackFake) (*Main, *slackClient) {
	tb.Helper()
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	var stderr lockedBuffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader(""), io.Discard, &stderr
	m.Env = []string{"PLPBOT_SLACK_BOT_TOKEN=xoxb-test", "PLPBOT_SLACK_MODE=http",
		"PLPBOT_SLACK_SIGNING_SECRET=" + secret, "PLPBOT_SLACK_API_URL=" + fake.apiURL(),
		"PLPBOT_ADMINS_SLACK=U0", "PLPBOT_LOG_LEVEL=warn"}
	dir := tb.TempDir()
	path := dir + "/plpbot.yaml"
	writeFile(tb, path, "data_dir: "+dir+"/data\nhttp:\n  addr: 127.0.0.1:0\n")
	if err := m.ParseFlags([]string{"-config", path}); err != nil {
		tb.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		tb.Fatalf("run: %v\n%s", err, stderr.String())
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
		if strings.Contains(stderr.String(), "level=ERROR") {
			tb.Errorf("errors logged:\n%s", stderr.String())
		}
	})
	return m, &slackClient{base: "http://" + m.HTTPAddr(), secret: secret, hc: &http.Client{Timeout: 10 * time.Second}, fake: fake}
}

// TestHTTPAddrInUse: a port already taken stops a Slack or Discord bot at
// start with a message naming http.addr, but the console runs on without
// its endpoints.
func TestHTTPAddrInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	taken := ln.Addr().String()

	var stderr lockedBuffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader(""), io.Discard, &stderr
	m.Env = []string{"PLPBOT_SLACK_BOT_TOKEN=xoxb-test", "PLPBOT_SLACK_MODE=http",
		"PLPBOT_SLACK_SIGNING_SECRET=s", "PLPBOT_HTTP_ADDR=" + taken}
	if err := m.ParseFlags([]string{"-config", writeConfig(t, t.TempDir())}); err != nil {
		t.Fatal(err)
	}
	err = m.Run(context.Background())
	_ = m.Close()
	if err == nil || !strings.Contains(err.Error(), "listen on http.addr "+taken) {
		t.Errorf("Slack with http.addr in use: %v, want an error naming http.addr", err)
	}

	var stdout lockedBuffer
	stderr = lockedBuffer{}
	m = NewMain()
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader("/plp plan\n"), &stdout, &stderr
	m.Env = []string{"PLPBOT_HTTP_ADDR=" + taken}
	if code := run(context.Background(), m, []string{"-config", writeConfig(t, t.TempDir()), "console"}); code != exitOK {
		t.Fatalf("console exit %d:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "health and metrics endpoints are off") || !strings.Contains(stdout.String(), "plan") {
		t.Errorf("console with http.addr in use: stderr %q, stdout %q", stderr.String(), stdout.String())
	}
}

func TestLoopbackIfNoHost(t *testing.T) {
	for in, want := range map[string]string{
		":8080":          "127.0.0.1:8080",
		"0.0.0.0:8080":   "0.0.0.0:8080",
		"[::1]:9":        "[::1]:9",
		"localhost:8080": "localhost:8080",
	} {
		if got := loopbackIfNoHost(in); got != want {
			t.Errorf("loopbackIfNoHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
}
