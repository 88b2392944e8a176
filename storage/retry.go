package storage

import "go.mongodb.org/mongo-driver/v2/mongo"

// numberAttempts bounds the retries of a numbered insert.
const numberAttempts = 10

// retryDuplicate runs f until it returns anything but a duplicate-key error,
// at most attempts times, and returns f's last error.
//
// FerretDB v1 (SQLite) does not make findAndModify atomic: concurrent $inc
// on one counter can lose updates (two callers get the same number, and the
// counter can even fall behind the numbers in use), and concurrent upserts of
// a new _id can fail with a duplicate key. Where a duplicate only means
// "someone else got there first", the store takes a fresh number and tries
// again. On MongoDB the first attempt succeeds.
func retryDuplicate(attempts int, f func() error) error {
	var err error
	for range attempts {
		if err = f(); !mongo.IsDuplicateKeyError(err) {
			return err
		}
	}
	return err
}
