package handlers_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot"
)

// The privacy suite. Every promise of README's Privacy section is tested,
// against the real embedded database; this file is the index a reviewer
// reads top to bottom. Here: who may read what, on every surface
// (TestPrivacyMatrix), students, staff outside the class, flags and
// channels, self-views, mentions (mention_test.go), the audit of every
// staff read (audit_test.go). Elsewhere, where the code lives:
//   - access asked when a message is sent, standing 1:1s ending with access:
//     scheduler/compose_test.go TestBriefsStopWhenTheTeacherLeavesTheClass,
//     scheduler/recurring_test.go TestStandingConferenceEndsWhenAccessEnds;
//   - channel summaries of small classes: scheduler/compose_test.go
//     TestSmallClassSummaryShowsNoFigures;
//   - the embedded database closed to other local users (no TCP port,
//     private files): storage/embedded notcp_linux_test.go, private_test.go;
//   - no student text in logs: cmd/plpbot/logs_test.go, storage/embedded/logs_test.go;
//   - forget leaves no byte behind (the database files are read after it):
//     handlers/forget_test.go TestForgetStudentLeavesNoByteBehind and
//     TestForgetStaffMemberLeavesNoByteBehind, storage/forget_test.go;
//     retention: storage TestRetention, scheduler TestRetentionNightly,
//     cmd/plpbot TestRetentionAndErasures;
//   - the audit log is append-only: storage/audit_test.go TestAuditIsAppendOnly.

// Secrets planted in sam's records; each must stay where it belongs.
const (
	secretFlag       = "FLAGNOTE dyslexia screening"
	secretReflection = "REFLECTION I feel lost in maths"
	secretFeedback   = "FEEDBACK please see me about the essay"
	secretCheckIn    = "CHECKINNOTE stayed up late"
	secretGoal       = "Pass algebra retake"
)

// staffEverything is all a person could see of m: text, buttons and file.
func staffEverything(m bot.Message) string {
	var b strings.Builder
	b.WriteString(m.PlainText())
	for _, bt := range m.Buttons {
		b.WriteString("\n" + bt.Label + " " + bt.Command)
	}
	if m.File != nil {
		b.WriteString("\n" + string(m.File.Data))
	}
	return b.String()
}

// privacyWorld is a school: ms-lee teaches Period 3 (sam, alex) with
// counselor ms-park as co-teacher; mr-kim teaches Period 5 (kit); ms-cho is
// a counselor of no class. Sam's plan holds every kind of secret.
func privacyWorld(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.setupClass("sam", "alex")
	e.ok("admin", "role @mr-kim teacher")
	e.ok("admin", "role @ms-park counselor")
	e.ok("admin", "role @ms-cho counselor")
	e.ok("ms-lee", "class add @ms-park")
	e.ok("kit", "plan")
	e.ok("mr-kim", "class create Period 5")
	e.ok("mr-kim", "class add @kit")

	e.ok("sam", "goal add "+secretGoal)
	e.ok("sam", "checkin 1 40% "+secretCheckIn)
	e.ok("sam", "reflect "+secretReflection)
	e.ok("ms-lee", "feedback @sam 1 "+secretFeedback)
	e.ok("ms-lee", "flag @sam other "+secretFlag)
	e.ok("ms-lee", "conference @sam 2026-12-01 10:30")
	e.ok("sam", "conference agenda talk about "+secretGoal)
	return e
}

func TestPrivacyStudentsSeeOnlyTheirOwn(t *testing.T) {
	e := privacyWorld(t)
	secrets := []string{secretFlag, secretReflection, secretFeedback, secretCheckIn, secretGoal}
	for _, tt := range []struct {
		name, line string
		code       bot.Code
	}{
		{"student view", "student @sam", bot.EForbidden},
		{"export", "export @sam", bot.EForbidden},
		{"roster", "roster", bot.EForbidden},
		{"feedback", "feedback @sam 1 lol", bot.EForbidden},
		{"flag", "flag @sam other", bot.EForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mustNotContain(t, e.staffFails("alex", tt.line, tt.code), secrets...)
		})
	}
	// Alex's conference list shows nothing of sam's conference.
	out := e.ok("alex", "conference list")
	mustNotContain(t, out, append(secrets, "sam", "#1")...)
	// Alex's own plan and goals show nothing of sam's.
	for _, line := range []string{"plan", "goal list", "export"} {
		for _, m := range e.staffMsgs("alex", line) {
			mustNotContain(t, staffEverything(m), secrets...)
		}
	}
	if got := e.staffAudit("sam"); slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, staffUID("alex")) }) {
		t.Errorf("a refused read left an audit entry as if it happened: %v", got)
	}
}

func TestPrivacyStaffOutsideTheClass(t *testing.T) {
	e := privacyWorld(t)
	secrets := []string{secretFlag, secretReflection, secretFeedback, secretCheckIn, secretGoal, "40%"}
	lines := []string{
		"student @sam", "student @sam since:2026-01-01", "export @sam", "feedback @sam 1 hi", "flag @sam iep",
		"conference @sam 2026-12-02 10:00", "roster Period 3", "class add @kit class:Period 3", "class remove @sam class:Period 3",
	}
	for _, who := range []string{"mr-kim", "ms-cho"} {
		for _, line := range lines {
			t.Run(who+" "+line, func(t *testing.T) {
				before := e.staffCounts()
				_, err := e.run(who, line)
				ue, ok := bot.AsUserError(err)
				if !ok || (ue.Code != bot.EForbidden && ue.Code != bot.ENotFound) {
					t.Fatalf("want a refusal, got %v", err)
				}
				mustNotContain(t, bot.ErrorMessage(err).PlainText(), secrets...)
				e.staffSame(before, who+" "+line)
			})
		}
		// Their conference list holds nothing of sam's.
		mustNotContain(t, e.ok(who, "conference list"), append(secrets, "sam ·", "#1", "Dec")...)
	}
	// The counselor of the class, the teacher and an admin may read, and
	// every read is audited before the data is returned.
	for _, who := range []string{"ms-park", "ms-lee", "admin"} {
		for _, tt := range []struct{ line, action string }{{"student @sam", "view_plan"}, {"export @sam", "export"}} {
			n := len(e.staffAudit("sam"))
			msgs := e.staffMsgs(who, tt.line)
			all := ""
			for _, m := range msgs {
				all += staffEverything(m)
			}
			mustContain(t, all, secretGoal)
			got := e.staffAudit("sam")
			if len(got) != n+1 || !slices.Contains(got, staffUID(who)+" "+tt.action) {
				t.Errorf("%s %s: want one new audit entry %q, got %v", who, tt.line, tt.action, got)
			}
		}
	}
	// Staff see the flag in the student view, never in the export (it goes home).
	mustContain(t, e.ok("ms-lee", "student @sam"), secretFlag)
	for _, m := range e.staffMsgs("ms-lee", "export @sam") {
		mustNotContain(t, staffEverything(m), secretFlag)
	}
}

func TestPrivacyFlagsAndChannels(t *testing.T) {
	e := privacyWorld(t)
	var all []bot.Message
	record := func(who, line string) {
		t.Helper()
		msgs, err := e.run(who, line)
		if err != nil {
			msgs = []bot.Message{bot.ErrorMessage(err)}
		}
		all = append(all, msgs...)
	}
	// A whole school day of commands by everyone, typed in #general.
	for _, c := range []struct{ who, line string }{
		{"sam", "plan"}, {"sam", "goal list"}, {"sam", "export"}, {"sam", "profile"}, {"sam", "conference list"},
		{"sam", "checkin 1 60% " + secretCheckIn}, {"sam", "reflect " + secretReflection}, {"sam", "help"},
		{"alex", "student @sam"}, {"alex", "export @sam"}, {"alex", "plan"},
		{"ms-lee", "roster"}, {"ms-lee", "student @sam"}, {"ms-lee", "export @sam"}, {"ms-lee", "class list"},
		{"ms-lee", "feedback @sam 1 " + secretFeedback}, {"ms-lee", "flag @sam iep " + secretFlag},
		{"ms-lee", "conference list"}, {"ms-lee", "conference @sam 2026-12-03 09:00 " + secretFeedback},
		{"ms-lee", "conference done 1 " + secretFeedback}, {"ms-lee", "conference cancel 2"},
		{"ms-lee", "class add @alex @sam"}, {"ms-lee", "class create Period 6"},
		{"mr-kim", "student @sam"}, {"mr-kim", "roster"},
		{"admin", "roster"}, {"admin", "student @sam"}, {"admin", "forget @alex"}, {"admin", "role @alex student"},
	} {
		record(c.who, c.line)
	}
	studentSecrets := []string{secretFlag, "dyslexia", "IEP", "504", "🔒"}
	channelSecrets := []string{secretFlag, secretReflection, secretFeedback, secretCheckIn}
	for _, m := range all {
		text := staffEverything(m)
		if m.To == nil && m.Visibility == bot.Public {
			mustNotContain(t, text, channelSecrets...)
		}
		if m.To != nil && (m.To.UserID == "sam" || m.To.UserID == "alex") {
			mustNotContain(t, text, studentSecrets...)
		}
	}
	// What sam sees of their own plan never mentions the flag.
	for _, line := range []string{"plan", "goal list", "export", "profile", "conference list"} {
		for _, m := range e.staffMsgs("sam", line) {
			mustNotContain(t, staffEverything(m), studentSecrets...)
		}
	}
}

// TestNobodySeesAFlagAboutThemselves: a student made staff sees their own
// plan through /plp student @self, but never the intervention flag about
// them, whatever their role.
func TestNobodySeesAFlagAboutThemselves(t *testing.T) {
	e := privacyWorld(t)
	e.ok("admin", "role @sam teacher")
	self := e.ok("sam", "student @sam")
	mustContain(t, self, secretGoal)
	mustNotContain(t, self, secretFlag, "intervention flags")
	// Staff who serve sam still see it.
	mustContain(t, e.ok("ms-lee", "student @sam"), secretFlag)
}

// TestPrivacyMatrix: actor × surface → allowed (sees sam's records, and the
// read is audited) or refused (sees none of them, and nothing is stored).
// ms-lee teaches sam; ms-park co-teaches sam's class as a counselor; mr-kim
// teaches another class; ms-cho is a counselor of no class; alex is sam's
// classmate.
func TestPrivacyMatrix(t *testing.T) {
	e := privacyWorld(t)
	secrets := []string{secretReflection, secretFeedback, secretCheckIn, secretGoal}
	type surface struct {
		name string
		read func(who string) (string, error)
	}
	cmd := func(line string) func(string) (string, error) {
		return func(who string) (string, error) {
			msgs, err := e.run(who, line)
			out := ""
			for _, m := range msgs {
				out += staffEverything(m) + "\n"
			}
			return out, err
		}
	}
	brief := func(who string) (string, error) {
		cf, err := e.store.ConferenceByNumber(context.Background(), 1)
		if err != nil {
			return "", err
		}
		m, err := e.h.PrepBrief(context.Background(), e.user(who), cf, e.now)
		return staffEverything(m), err
	}
	surfaces := []surface{
		{"student view (command reply)", cmd("student @sam")},
		{"export (a file for home)", cmd("export @sam")},
		{"prep brief (a scheduled DM)", brief},
	}
	allowed := map[string]bool{"ms-lee": true, "ms-park": true, "admin": true}
	for _, who := range []string{"ms-lee", "ms-park", "admin", "mr-kim", "ms-cho", "alex"} {
		for _, sf := range surfaces {
			t.Run(who+"/"+sf.name, func(t *testing.T) {
				before := len(e.staffAudit("sam"))
				out, err := sf.read(who)
				switch {
				case allowed[who] && err != nil:
					t.Fatalf("refused: %v", err)
				case allowed[who]:
					mustContain(t, out, secretGoal)
					if after := len(e.staffAudit("sam")); after != before+1 {
						t.Errorf("audit entries %d → %d, want one more", before, after)
					}
				case err == nil:
					t.Fatalf("allowed, want a refusal:\n%s", out)
				default:
					mustNotContain(t, out+bot.ErrorMessage(err).PlainText(), secrets...)
				}
			})
		}
	}
	// The roster and the audit log: staff of the class see the roster,
	// admins the audit; nobody else either.
	for _, tt := range []struct {
		who, line string
		ok        bool
	}{
		{"ms-lee", "roster", true}, {"ms-park", "roster", true}, {"mr-kim", "roster Period 3", false}, {"alex", "roster", false},
		{"admin", "audit @sam", true}, {"ms-lee", "audit @sam", false}, {"sam", "audit @sam", false},
	} {
		out, err := cmd(tt.line)(tt.who)
		if tt.ok != (err == nil) {
			t.Errorf("%s %q: err = %v, want allowed %v", tt.who, tt.line, err, tt.ok)
		}
		if !tt.ok {
			mustNotContain(t, out, secrets...)
		}
	}
}
