package plpbot

import "time"

// ConferenceStatus is where a conference stands.
type ConferenceStatus string

// Conference statuses.
const (
	ConferenceScheduled ConferenceStatus = "scheduled"
	ConferenceDone      ConferenceStatus = "done"
	ConferenceCancelled ConferenceStatus = "cancelled"
)

// Standing conference intervals people may choose.
const (
	EveryWeek     = "1w"
	EveryTwoWeeks = "2w"
)

// Intervals lists the standing conference intervals.
var Intervals = []string{EveryWeek, EveryTwoWeeks}

// AgendaItem is a talking point added by the student or the teacher.
type AgendaItem struct {
	Text   string    `bson:"text"`
	ByID   string    `bson:"by_id"`
	ByName string    `bson:"by_name"`
	At     time.Time `bson:"at"`
}

// Validate checks the talking point's text.
func (a *AgendaItem) Validate() error { return ValidateText("agenda", a.Text, MaxTextLen, true) }

// Conference is a meeting between a student and a member of staff. Number
// is the short id people type.
type Conference struct {
	ID          string           `bson:"_id,omitempty"`
	Number      int              `bson:"number"`
	StudentID   string           `bson:"student_id"`
	StudentName string           `bson:"student_name"`
	TeacherID   string           `bson:"teacher_id"`
	TeacherName string           `bson:"teacher_name"`
	At          time.Time        `bson:"at"` // UTC
	Agenda      []AgendaItem     `bson:"agenda"`
	Notes       string           `bson:"notes,omitempty"`
	Status      ConferenceStatus `bson:"status"`
	// Every is the interval of a standing conference ("1w", "2w"); "" = one-off.
	Every string `bson:"every,omitempty"`
	// Series is the number of a standing conference's first occurrence
	// (0 = one-off); every occurrence of the series carries it.
	Series int `bson:"series,omitempty"`
	// Zone is the teacher's time zone when the series was set up: occurrences
	// keep the same weekday and wall-clock time there across DST changes.
	Zone string `bson:"zone,omitempty"`
	// Topic is a standing conference's agenda, put on every occurrence.
	Topic string `bson:"topic,omitempty"`
	// Rolled is set once the next occurrence of a standing conference exists.
	Rolled    bool      `bson:"rolled,omitempty"`
	DoneAt    time.Time `bson:"done_at,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// Validate checks the notes and the topic.
func (c *Conference) Validate() error {
	if err := ValidateText("notes", c.Notes, MaxTextLen, false); err != nil {
		return err
	}
	return ValidateText("agenda", c.Topic, MaxTextLen, false)
}

// IntervalDays is how many days apart a standing conference's occurrences
// are (0 for a one-off).
func (c *Conference) IntervalDays() int {
	switch c.Every {
	case EveryWeek:
		return 7
	case EveryTwoWeeks:
		return 14
	}
	return 0
}

// SeriesNumber is the number that names a standing conference's series:
// its first occurrence's.
func (c *Conference) SeriesNumber() int {
	if c.Series != 0 {
		return c.Series
	}
	return c.Number
}

// NextAt returns the first occurrence of standing conference c after now:
// c's weekday and wall-clock time in its zone, one interval after c.At (or
// several, when the bot was down through one). Zero for a one-off.
func (c *Conference) NextAt(now time.Time) time.Time {
	days := c.IntervalDays()
	if days == 0 {
		return time.Time{}
	}
	loc := time.UTC
	if c.Zone != "" {
		if l, err := time.LoadLocation(c.Zone); err == nil {
			loc = l
		}
	}
	w := c.At.In(loc)
	// Jump close to now first, so a long outage costs one step, not many.
	k := 1
	if gap := int(now.Sub(c.At).Hours()/24) / days; gap > 1 {
		k = gap - 1
	}
	for ; ; k++ {
		t := time.Date(w.Year(), w.Month(), w.Day()+k*days, w.Hour(), w.Minute(), 0, 0, loc).UTC()
		if t.After(now) {
			return t
		}
	}
}
