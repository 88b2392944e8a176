package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
)

// conferenceNumbers returns the numbers of cs.
func conferenceNumbers(cs []plpbot.Conference) []int {
	var out []int
	for _, c := range cs {
		out = append(out, c.Number)
	}
	return out
}

func TestConferences(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	chicago, err := time.LoadLocation("America/Chicago")
	must(t, "LoadLocation", err)
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }

	plan := []struct {
		student, teacher string
		at               time.Time
	}{
		{"s1", "t1", day(10, 15)},
		{"s2", "t1", day(9, 15)},
		{"s1", "t2", day(12, 15)},
		{"s3", "t1", time.Date(2026, 3, 9, 11, 0, 0, 0, chicago)}, // 16:00 UTC (CDT), given in Chicago time
		{"s2", "t1", day(9, 15)},                                  // same time as #2: ordered by number
	}
	for i, p := range plan {
		c, err := s.ScheduleConference(ctx, plpbot.Conference{StudentID: p.student, StudentName: p.student, TeacherID: p.teacher, TeacherName: p.teacher, At: p.at})
		must(t, "ScheduleConference", err)
		if c.Number != i+1 || c.Status != plpbot.ConferenceScheduled || c.Agenda == nil || c.ID == "" {
			t.Errorf("conference %d = %+v", i+1, *c)
		}
		if c.At.Location() != time.UTC || !c.At.Equal(p.at) {
			t.Errorf("conference %d At = %v, want %v in UTC", i+1, c.At, p.at)
		}
	}
	c4, err := s.ConferenceByNumber(ctx, 4)
	must(t, "ConferenceByNumber", err)
	if c4.StudentID != "s3" || !c4.At.Equal(day(9, 16)) {
		t.Errorf("conference 4 = %+v", *c4)
	}
	_, err = s.ConferenceByNumber(ctx, 99)
	isNotFound(t, "ConferenceByNumber 99", err)

	queries := []struct {
		name string
		q    storage.ConferenceQuery
		want []int
	}{
		{"all, earliest first", storage.ConferenceQuery{}, []int{2, 5, 4, 1, 3}},
		{"teacher", storage.ConferenceQuery{TeacherID: "t1"}, []int{2, 5, 4, 1}},
		{"student", storage.ConferenceQuery{StudentID: "s1"}, []int{1, 3}},
		{"teacher and student", storage.ConferenceQuery{TeacherID: "t1", StudentID: "s2"}, []int{2, 5}},
		{"from (inclusive)", storage.ConferenceQuery{From: day(10, 15)}, []int{1, 3}},
		{"to (exclusive)", storage.ConferenceQuery{To: day(9, 16)}, []int{2, 5}},
		{"window", storage.ConferenceQuery{From: day(9, 16), To: day(12, 0)}, []int{4, 1}},
		{"limit", storage.ConferenceQuery{TeacherID: "t1", Limit: 2}, []int{2, 5}},
		{"status", storage.ConferenceQuery{Status: plpbot.ConferenceScheduled}, []int{2, 5, 4, 1, 3}},
		{"no match", storage.ConferenceQuery{TeacherID: "t9"}, nil},
	}
	for _, q := range queries {
		cs, err := s.Conferences(ctx, q.q)
		must(t, "Conferences "+q.name, err)
		if got := conferenceNumbers(cs); !slices.Equal(got, q.want) {
			t.Errorf("Conferences(%s) = %v, want %v", q.name, got, q.want)
		}
	}

	t.Run("agenda", func(t *testing.T) {
		clk.Advance(time.Minute)
		c, err := s.AddAgendaItem(ctx, 1, plpbot.AgendaItem{Text: "My essay grade", ByID: "s1", ByName: "s1"})
		must(t, "AddAgendaItem", err)
		sameTime(t, "agenda At", c.Agenda[0].At, clk.Now())
		c, err = s.AddAgendaItem(ctx, 1, plpbot.AgendaItem{Text: `{"$gt": ""}`, ByID: "t1", ByName: "t1", At: t0})
		must(t, "AddAgendaItem 2", err)
		if len(c.Agenda) != 2 || c.Agenda[0].Text != "My essay grade" || c.Agenda[1].Text != `{"$gt": ""}` || c.Agenda[1].ByID != "t1" {
			t.Errorf("agenda = %+v", c.Agenda)
		}
		sameTime(t, "conference UpdatedAt", c.UpdatedAt, clk.Now())
		_, err = s.AddAgendaItem(ctx, 99, plpbot.AgendaItem{Text: "x"})
		isNotFound(t, "AddAgendaItem on a missing conference", err)
	})

	t.Run("done cancel reschedule", func(t *testing.T) {
		c, err := s.SetConferenceNotes(ctx, 2, "prep notes")
		must(t, "SetConferenceNotes", err)
		if c.Status != plpbot.ConferenceScheduled || c.Notes != "prep notes" {
			t.Errorf("after SetConferenceNotes: %+v", *c)
		}
		clk.Advance(time.Hour)
		c, err = s.CompleteConference(ctx, 2, "Talked about goals")
		must(t, "CompleteConference", err)
		if c.Status != plpbot.ConferenceDone || c.Notes != "Talked about goals" {
			t.Errorf("after CompleteConference: %+v", *c)
		}
		sameTime(t, "DoneAt", c.DoneAt, clk.Now())

		c, err = s.CancelConference(ctx, 3)
		must(t, "CancelConference", err)
		if c.Status != plpbot.ConferenceCancelled {
			t.Errorf("after CancelConference: status %s", c.Status)
		}
		// Rescheduling a cancelled conference brings it back.
		newAt := time.Date(2026, 3, 20, 9, 30, 0, 0, chicago)
		c, err = s.RescheduleConference(ctx, 3, newAt)
		must(t, "RescheduleConference", err)
		if c.Status != plpbot.ConferenceScheduled || !c.At.Equal(newAt) || c.At.Location() != time.UTC {
			t.Errorf("after RescheduleConference: status %s at %v", c.Status, c.At)
		}
		_, err = s.CancelConference(ctx, 1)
		must(t, "CancelConference 1", err)

		for _, tc := range []struct {
			status plpbot.ConferenceStatus
			want   []int
		}{
			{plpbot.ConferenceScheduled, []int{5, 4, 3}},
			{plpbot.ConferenceDone, []int{2}},
			{plpbot.ConferenceCancelled, []int{1}},
		} {
			cs, err := s.Conferences(ctx, storage.ConferenceQuery{Status: tc.status})
			must(t, "Conferences by status", err)
			if got := conferenceNumbers(cs); !slices.Equal(got, tc.want) {
				t.Errorf("Conferences(status %s) = %v, want %v", tc.status, got, tc.want)
			}
		}
		for name, f := range map[string]func() (*plpbot.Conference, error){
			"CompleteConference":   func() (*plpbot.Conference, error) { return s.CompleteConference(ctx, 99, "") },
			"SetConferenceNotes":   func() (*plpbot.Conference, error) { return s.SetConferenceNotes(ctx, 99, "") },
			"CancelConference":     func() (*plpbot.Conference, error) { return s.CancelConference(ctx, 99) },
			"RescheduleConference": func() (*plpbot.Conference, error) { return s.RescheduleConference(ctx, 99, t0) },
		} {
			_, err := f()
			isNotFound(t, name+" on a missing conference", err)
		}
	})
}

// TestScheduleConferenceConcurrent covers two teachers scheduling at once:
// each conference gets its own number.
func TestScheduleConferenceConcurrent(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	const n = 8
	nums := make(chan int, n)
	for i := range n {
		go func() {
			c, err := s.ScheduleConference(ctx, plpbot.Conference{StudentID: "s", TeacherID: "t", At: t0.Add(time.Duration(i) * time.Hour)})
			if err != nil {
				t.Errorf("concurrent ScheduleConference: %v", err)
				nums <- 0
				return
			}
			nums <- c.Number
		}()
	}
	var got []int
	for range n {
		got = append(got, <-nums)
	}
	slices.Sort(got)
	if distinct := slices.Compact(slices.Clone(got)); len(distinct) != n || got[0] < 1 {
		t.Errorf("concurrent conference numbers = %v, want %d distinct positive numbers", got, n)
	}
	next, err := s.ScheduleConference(ctx, plpbot.Conference{StudentID: "s", TeacherID: "t", At: t0})
	must(t, "ScheduleConference after the burst", err)
	if slices.Contains(got, next.Number) {
		t.Errorf("next conference number %d reuses one of %v", next.Number, got)
	}
}
