package plpbot

import "time"

// StreakWeeks is how far back a streak is counted: a school year and more.
const StreakWeeks = 53

// WeeklyStreak counts the weeks (Monday to Sunday in loc), back from the
// week containing now, in which the student checked in at least once.
//
// The rule: the current week counts if it has a check-in and never breaks
// the streak, because it isn't over yet. A past week without a check-in that
// overlaps an away period or a school holiday is frozen: it neither counts
// nor breaks the streak, so a sick week or a break doesn't cost a student
// what they built. Any other week without a check-in ends the streak.
func WeeklyStreak(now time.Time, loc *time.Location, checkIns []time.Time, frozen []AwayPeriod) int {
	if len(checkIns) == 0 {
		return 0
	}
	has := make(map[string]bool, len(checkIns))
	oldest := WeekStart(now, loc)
	for _, t := range checkIns {
		w := WeekStart(t, loc)
		has[w.Format(time.DateOnly)] = true
		if w.Before(oldest) {
			oldest = w
		}
	}
	streak := 0
	w := WeekStart(now, loc)
	for i := 0; !w.Before(oldest); i++ {
		switch {
		case has[w.Format(time.DateOnly)]:
			streak++
		case i == 0: // this week is still going
		case anyOverlaps(frozen, w, AddDays(w, 7)):
		default:
			return streak
		}
		w = AddDays(w, -7)
	}
	return streak
}

// StreakSince is the earliest check-in time a streak at now can depend on.
func StreakSince(now time.Time, loc *time.Location) time.Time {
	return AddDays(WeekStart(now, loc), -7*StreakWeeks)
}

// WeekStart is midnight of the Monday of t's week in loc.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	back := (int(t.Weekday()) + 6) % 7 // Monday = 0
	return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
}

// AddDays moves a local midnight by n calendar days, staying at midnight
// across daylight-saving changes.
func AddDays(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, t.Location())
}

// HolidayPeriods turns school holidays (dates) into day-long periods in loc,
// which freeze a streak the way an away period does.
func HolidayPeriods(days []time.Time, loc *time.Location) []AwayPeriod {
	out := make([]AwayPeriod, 0, len(days))
	for _, d := range days {
		from := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
		out = append(out, AwayPeriod{From: from, Until: AddDays(from, 1)})
	}
	return out
}

func anyOverlaps(periods []AwayPeriod, from, to time.Time) bool {
	for _, p := range periods {
		if p.Overlaps(from, to) {
			return true
		}
	}
	return false
}
