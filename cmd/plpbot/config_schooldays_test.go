package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSchoolDaysConfig: schedule.school_days is Monday to Friday unless set
// (in the file or PLPBOT_SCHEDULE_SCHOOL_DAYS); a day that isn't one, or
// none at all, names the key.
func TestSchoolDaysConfig(t *testing.T) {
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	for _, tt := range []struct {
		name, yaml string
		env        []string
		want       []time.Weekday
		err        string
	}{
		{"default", "", nil, weekdays, ""},
		{"a Saturday school", "schedule: {school_days: [mon, tue, wed, thu, fri, sat]}", nil, append(slices.Clone(weekdays), time.Saturday), ""},
		{"full names, any order", "schedule:\n  school_days: [Saturday, Sunday]\n", nil, []time.Weekday{time.Saturday, time.Sunday}, ""},
		{"from the environment", "", []string{"PLPBOT_SCHEDULE_SCHOOL_DAYS=tue,thu"}, []time.Weekday{time.Tuesday, time.Thursday}, ""},
		{"not a day", "schedule: {school_days: [mon, funday]}", nil, nil, `config: schedule.school_days: "funday" isn't a day of the week`},
		{"none", "schedule: {school_days: []}", nil, nil, "config: schedule.school_days: List at least one day"},
		{"twice", "schedule: {school_days: [mon, Monday]}", nil, nil, "config: schedule.school_days: Monday is listed twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig([]byte(tt.yaml), tt.env)
			if tt.err != "" {
				var ce *ConfigError
				if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.ScheduleSettings().SchoolDays; !slices.Equal(got, tt.want) {
				t.Errorf("SchoolDays = %v, want %v", got, tt.want)
			}
		})
	}
}
