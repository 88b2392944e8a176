package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestConsoleDashboardLink: in the console, :dashboard prints a one-time
// link for the current :as person that opens the dashboard, served on
// http.addr beside /healthz, as production wires it; the feedback form
// there reaches the student in the console's transcript and is counted in
// /metrics as a command typed in chat is.
func TestConsoleDashboardLink(t *testing.T) {
	p := start(t, "-config", writeConfig(t, t.TempDir()), "console")
	base := waitAddr(t, p.m)
	if got, want := p.m.DashboardURL(), base+"/dash/"; got != want {
		t.Errorf("DashboardURL = %q, want %q", got, want)
	}
	for _, l := range []string{
		"/plp role @rivera teacher",
		":as sam", "/plp goal add Read three novels",
		":as rivera", "/plp class create Period 3", "/plp class add @sam",
		":dashboard",
	} {
		if _, err := io.WriteString(p.stdin, l+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	linkRE := regexp.MustCompile(regexp.QuoteMeta(base) + `/dash/signin\?t=\S+`)
	var link string
	for deadline := time.Now().Add(10 * time.Second); link == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		link = linkRE.FindString(p.stdout.String())
	}
	if link == "" {
		t.Fatalf(":dashboard printed no link:\n%s", p.stdout.String())
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	u, _ := url.Parse(link)
	resp, err := c.PostForm(base+"/dash/signin", url.Values{"t": {u.Query().Get("t")}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Hello, rivera") || !strings.Contains(string(body), "Period 3") {
		t.Fatalf("signed in: %d\n%s", resp.StatusCode, body)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(body))
	if csrf == nil {
		t.Fatal("no form token on the home page")
	}
	resp, err = c.PostForm(base+"/dash/student/"+url.PathEscape("console::sam")+"/feedback",
		url.Values{"csrf": {csrf[1]}, "goal": {"1"}, "text": {"Lovely start"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("feedback: %d", resp.StatusCode)
	}
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `plpbot_commands_total{command="feedback",outcome="ok"} 1`; !strings.Contains(string(metrics), want) {
		t.Errorf("/metrics doesn't count the dashboard's feedback (%s):\n%s", want, grepLines(string(metrics), "plpbot_commands_total"))
	}
	out := p.session()
	if !strings.Contains(out, "Lovely start") {
		t.Errorf("the student's DM isn't in the transcript:\n%s", out)
	}
}

// grepLines keeps the lines of s that contain sub.
func grepLines(s, sub string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
