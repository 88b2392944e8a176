package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestClassAddAWholeClassOfNewStudents: on a school's first day a teacher
// creates a class and adds its 24 students in one /plp class add, none of
// whom has used plpbot yet. Each is looked up on Slack (users.info, so a
// mention never creates an account nobody owns) at that method's real
// pace, within the command's time; all 24 are added and the roster lists
// them.
func TestClassAddAWholeClassOfNewStudents(t *testing.T) {
	fake := newSlackFake(t)
	_, client := startSlack(t, fake)
	do := func(user, channel, text string) string {
		t.Helper()
		key := fmt.Sprintf("k-%s-%d", user, time.Now().UnixNano())
		if err := client.command(user, channel, text, key); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		r, err := fake.await(key, 30*time.Second)
		fake.forget(key)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		return r.Text
	}
	do("U0", "D0", "role <@UT1> teacher")
	do("UT1", "C1", "class create Period 1")
	var mentions []string
	for s := range 24 {
		mentions = append(mentions, fmt.Sprintf("<@US%02d>", s))
	}
	if got := do("UT1", "C1", "class add "+strings.Join(mentions, " ")); !strings.Contains(got, "Added to Period 1") ||
		!strings.Contains(got, "Person US00") || !strings.Contains(got, "Person US23") {
		t.Fatalf("class add of 24 new students answered:\n%.600s", got)
	}
	roster := do("UT1", "C1", "roster")
	for _, name := range []string{"Person US00", "Person US23"} {
		if !strings.Contains(roster, name) {
			t.Errorf("the roster doesn't list %s:\n%.600s", name, roster)
		}
	}
	if n := fake.count("users.info"); n < 24 {
		t.Errorf("%d users.info calls, want each new student looked up", n)
	}
}
