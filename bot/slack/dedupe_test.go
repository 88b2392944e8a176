package slack

import (
	"fmt"
	"testing"
	"time"
)

func TestEventSetRemembersIDsForAWhileInBoundedMemory(t *testing.T) {
	now := time.Date(2027, 1, 12, 10, 0, 0, 0, time.UTC)
	s := newEventSet(10*time.Minute, 3, func() time.Time { return now })
	steps := []struct {
		advance time.Duration
		id      string
		want    bool
	}{
		{0, "Ev1", true},
		{0, "Ev1", false},           // immediate retry
		{time.Minute, "Ev1", false}, // retry after 1 minute
		{4 * time.Minute, "Ev1", false},
		{0, "", true}, // no id: never dropped
		{0, "", true},
		{6 * time.Minute, "Ev1", true}, // 11 minutes on: forgotten
		{0, "Ev2", true},
		{0, "Ev3", true},
		{0, "Ev4", true}, // bound of 3: Ev1 is dropped
		{0, "Ev1", true},
		{0, "Ev4", false},
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		if got := s.add(st.id); got != st.want {
			t.Errorf("step %d: add(%q) = %v, want %v", i, st.id, got, st.want)
		}
		if s.len() > 3 {
			t.Errorf("step %d: %d ids remembered, bound is 3", i, s.len())
		}
	}
}

func BenchmarkEventSet(b *testing.B) {
	s := newEventSet(eventTTL, maxEvents, time.Now)
	for i := 0; b.Loop(); i++ {
		s.add(fmt.Sprint("Ev", i))
	}
}
