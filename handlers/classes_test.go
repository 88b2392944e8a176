package handlers_test

import (
	"context"
	"slices"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

func TestClassCreate(t *testing.T) {
	e := newEnv(t)
	e.setupClass()
	ctx := context.Background()

	cl, err := e.store.ClassByName(ctx, "console", "", "period 3")
	if err != nil {
		t.Fatalf("class not stored: %v", err)
	}
	if cl.ChannelID != "general" || cl.CreatedBy != staffUID("ms-lee") {
		t.Errorf("class made in #general should be linked to it and created by ms-lee: %+v", cl)
	}
	if ok, _ := e.store.IsMember(ctx, cl.ID, staffUID("ms-lee"), plpbot.MemberTeacher); !ok {
		t.Errorf("the creator should teach the class")
	}

	// A second class in the same channel is created unlinked, and says so.
	out := e.ok("ms-lee", "class create Period 4 <!channel>")
	mustContain(t, out, "Period 4 <!channel> is ready", "already belongs to Period 3", "isn't linked")
	cl4, err := e.store.ClassByName(ctx, "console", "", "Period 4 <!channel>")
	if err != nil || cl4.ChannelID != "" {
		t.Errorf("second class should exist unlinked: %+v %v", cl4, err)
	}
	// In a DM nothing is linked and nothing is said about channels.
	msgs, err := e.dm("ms-lee", "class create Homeroom")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, plain(msgs), "Homeroom is ready")
	mustNotContain(t, plain(msgs), "channel")

	tests := []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		{"duplicate name, any case", "ms-lee", "class create period 3", bot.EConflict, "already a class called period 3"},
		{"student", "sam", "class create My class", bot.EForbidden, "for staff"},
		{"no name", "ms-lee", "class create", bot.EInvalid, "/plp class create"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustContain(t, e.staffFails(tt.who, tt.line, tt.code), tt.want)
		})
	}
}

func TestClassAdd(t *testing.T) {
	e := newEnv(t)
	e.setupClass()
	ctx := context.Background()
	for _, s := range []string{"sam", "alex"} {
		e.ok(s, "plan")
	}
	msgs := e.staffMsgs("ms-lee", "class add @sam @alex @sam")
	mustContain(t, plain(msgs), "Added to Period 3: sam and alex.", "welcome DM")
	for _, s := range []string{"sam", "alex"} {
		dm := staffDM(t, msgs, s)
		mustContain(t, dm.PlainText(), "Welcome to Period 3", "ms-lee added you to Period 3", "First step")
		if len(dm.Buttons) != 1 || dm.Buttons[0].Command != "goal add" || dm.Buttons[0].Form == nil {
			t.Errorf("welcome DM should offer the goal add form: %+v", dm.Buttons)
		}
	}
	cl, _ := e.store.ClassByName(ctx, "console", "", "Period 3")
	students, _ := e.store.ClassMembers(ctx, cl.ID, plpbot.MemberStudent)
	slices.Sort(students)
	if want := []string{staffUID("alex"), staffUID("sam")}; !slices.Equal(students, want) {
		t.Errorf("students = %v, want %v", students, want)
	}

	// Adding again welcomes nobody twice.
	msgs = e.staffMsgs("ms-lee", "class add @sam")
	mustContain(t, plain(msgs), "Already in Period 3: sam.")
	staffNoDM(t, msgs, "sam")

	// Staff join as co-teachers and can then see the class.
	e.ok("admin", "role @mr-kim teacher")
	msgs = e.staffMsgs("ms-lee", "class add @mr-kim")
	mustContain(t, plain(msgs), "Co-teaching Period 3: mr-kim.")
	mustContain(t, staffDM(t, msgs, "mr-kim").PlainText(), "ms-lee added you as a teacher of Period 3")
	mustContain(t, e.ok("mr-kim", "roster"), "sam", "alex")
	mustContain(t, e.ok("mr-kim", "student @sam"), "sam's plan")

	// Someone never seen before is created on the spot (a mention is enough).
	mustContain(t, e.ok("ms-lee", "class add @newkid"), "Added to Period 3: newkid.")

	// With two classes, the class must be named (outside a linked channel).
	e.ok("ms-lee", "class create Period 4")
	if _, err := e.dm("ms-lee", "class add @jo"); err == nil {
		t.Errorf("class add with two classes in a DM should ask which")
	} else {
		mustContain(t, bot.ErrorMessage(err).PlainText(), "Which one?", "class add @sam class:Period 3")
	}
	msgs, err := e.dm("ms-lee", "class add @jo class:period 4")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, plain(msgs), "Added to Period 4: jo.")

	e.ok("mr-kim", "class create Period 5")
	tests := []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		{"class of another teacher", "mr-kim", "class add @sam class:Period 4", bot.EForbidden, "You don't teach Period 4"},
		{"unknown class", "ms-lee", "class add @sam class:Art", bot.ENotFound, "can't find a class called Art"},
		{"student", "sam", "class add @alex", bot.EForbidden, "for staff"},
		{"a group mention", "ms-lee", "class add @everyone", bot.EInvalid, "group"},
		{"a channel mention", "ms-lee", "class add <!channel>", bot.EInvalid, "group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustContain(t, e.staffFails(tt.who, tt.line, tt.code), tt.want)
		})
	}
	// Admins may add to any class.
	mustContain(t, e.ok("admin", "class add @kit class:Period 5"), "Added to Period 5: kit.")
}

func TestClassRemove(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	e.staffGoal("sam", "Read three novels", 30, e.now)

	out := e.ok("ms-lee", "class remove @sam")
	mustContain(t, out, "Removed sam from Period 3", "plan stays")
	mustNotContain(t, e.ok("ms-lee", "roster"), "sam")
	e.fails("ms-lee", "student @sam", bot.EForbidden)
	// The plan itself is untouched.
	if _, err := e.store.Goal(context.Background(), staffUID("sam"), 1); err != nil {
		t.Errorf("removing from a class must keep the plan: %v", err)
	}

	e.ok("admin", "role @mr-kim teacher")
	tests := []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		{"not in the class", "ms-lee", "class remove @sam", bot.ENotFound, "sam isn't in Period 3"},
		{"never seen", "ms-lee", "class remove @ghost", bot.ENotFound, "ghost isn't in Period 3"},
		{"yourself", "ms-lee", "class remove @ms-lee", bot.EInvalid, "can't remove yourself"},
		{"student", "alex", "class remove @alex", bot.EForbidden, "for staff"},
		{"teacher without a class", "mr-kim", "class remove @alex", bot.ENotFound, "don't have a class"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustContain(t, e.staffFails(tt.who, tt.line, tt.code), tt.want)
		})
	}
}

func TestClassList(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	e.ok("admin", "role @mr-kim teacher")
	mustContain(t, e.ok("mr-kim", "class list"), "You don't have a class yet", "class create")
	e.ok("mr-kim", "class create Period 5")
	e.ok("mr-kim", "class add @kit")

	out := e.ok("ms-lee", "class list")
	mustContain(t, out, "Your classes", "Period 3 · 2 students · #general")
	mustNotContain(t, out, "Period 5")

	out = e.ok("admin", "class list")
	mustContain(t, out, "Every class", "Period 3 · 2 students · #general", "Period 5 · 1 student")

	e.staffFails("sam", "class list", bot.EForbidden)
}
