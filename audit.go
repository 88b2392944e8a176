package plpbot

import "time"

// AuditEntry records that someone read or changed a student's records: the
// school's record of disclosures.
type AuditEntry struct {
	ID        string    `bson:"_id,omitempty"`
	ActorID   string    `bson:"actor_id"`
	ActorName string    `bson:"actor_name"`
	Action    string    `bson:"action"` // "view_plan", "export", "forget", "flag", ...
	SubjectID string    `bson:"subject_id"`
	Detail    string    `bson:"detail,omitempty"`
	At        time.Time `bson:"at"`
}
