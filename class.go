package plpbot

import "time"

// Membership roles in a class.
const (
	MemberStudent = "student"
	MemberTeacher = "teacher"
)

// Class is a group of students with their teachers, optionally linked to a
// channel that receives progress summaries.
type Class struct {
	ID          string    `bson:"_id"`
	Name        string    `bson:"name"`
	NameLower   string    `bson:"name_lower"`
	Platform    string    `bson:"platform"`
	Workspace   string    `bson:"workspace"`
	ChannelID   string    `bson:"channel_id,omitempty"`
	ChannelName string    `bson:"channel_name,omitempty"`
	TimeZone    string    `bson:"tz,omitempty"`
	Reflections string    `bson:"reflections_cron,omitempty"` // cron for reflection prompts; "" = default
	Summaries   string    `bson:"summaries_cron,omitempty"`   // cron for channel summaries; "" = default
	TermID      string    `bson:"term_id,omitempty"`          // its Term ("" = none); archived once it is over (ClassArchived)
	CreatedBy   string    `bson:"created_by"`
	CreatedAt   time.Time `bson:"created_at"`
	UpdatedAt   time.Time `bson:"updated_at"`
	// SIS is what the school's student information system says of a class
	// a roster import brought (nil for classes made in chat).
	SIS *ClassSIS `bson:"sis,omitempty"`
}

// Validate checks the class name.
func (c *Class) Validate() error {
	return ValidateText("class name", c.Name, MaxClassNameLen, true)
}

// Enrollment puts a person in a class as a student or teacher.
type Enrollment struct {
	ID        string    `bson:"_id"` // class id + "|" + person id
	ClassID   string    `bson:"class_id"`
	UserID    string    `bson:"user_id"`
	Role      string    `bson:"role"`
	CreatedAt time.Time `bson:"created_at"`
	// SourcedID is the SIS's id of the enrollment when a roster import
	// made it ("" for enrollments made in chat); Primary marks a class's
	// primary teacher, as the SIS says.
	SourcedID string `bson:"sourced_id,omitempty"`
	Primary   bool   `bson:"primary,omitempty"`
}

// EnrollmentID is the id of a person's membership of a class: one per
// (class, person), so enrolling twice changes nothing.
func EnrollmentID(classID, personID string) string { return classID + "|" + personID }
