package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The scheduler's collections.
const (
	colOutbox = "outbox"
	// colClaims arbitrates claims: one document per (item, attempt) or
	// (lease, epoch). Its _id is unique, so of two replicas racing for the same
	// attempt exactly one insert succeeds. FerretDB v1 runs findAndModify as a
	// query followed by an update by _id, which is not atomic; a unique insert
	// is, on FerretDB and MongoDB alike.
	colClaims = "claims"
)

// OutboxStatus is where an outbox item stands.
type OutboxStatus string

// Outbox statuses. Pending items wait for Due; sending items are held by a
// worker until LeaseUntil; the other three are final.
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSending OutboxStatus = "sending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed"
	OutboxSkipped OutboxStatus = "skipped"
)

// OutboxItem is one message the scheduler owes someone: a reflection prompt,
// a follow-up, a conference reminder, a notes request or a channel summary.
// Its ID is OutboxKey(Job, Period, Recipient), so planning the same run twice
// adds nothing. The message itself is composed at send time from the
// references here, so it is never stale.
type OutboxItem struct {
	ID        string `bson:"_id"`
	Job       string `bson:"job"`
	Period    string `bson:"period"`
	Recipient string `bson:"recipient"` // a user id, or a class id for channel posts
	// Platform is the platform the item is delivered on: the recipient's, or
	// the class's for a channel post. Only a process that runs it claims the
	// item. Items planned before there was one have none; anyone claims them.
	Platform string `bson:"platform,omitempty"`
	ClassID  string `bson:"class_id,omitempty"`
	// Conference and ConferenceAt name the conference a reminder is for, as it
	// was when planned; a moved or cancelled conference's reminder is skipped.
	Conference   int       `bson:"conference,omitempty"`
	ConferenceAt time.Time `bson:"conference_at,omitempty"`
	// Ref is a further reference, such as the prompt a follow-up is about.
	Ref string `bson:"ref,omitempty"`
	// From is the start of the period a summary covers.
	From time.Time `bson:"from,omitempty"`
	// Due is the earliest time to send.
	Due    time.Time    `bson:"due"`
	Status OutboxStatus `bson:"status"`
	// Attempt counts claims; Failures counts transient send errors.
	Attempt    int       `bson:"attempt"`
	Failures   int       `bson:"failures"`
	Owner      string    `bson:"owner,omitempty"`
	LeaseUntil time.Time `bson:"lease_until,omitempty"`
	Reason     string    `bson:"reason,omitempty"`
	CreatedAt  time.Time `bson:"created_at"`
	UpdatedAt  time.Time `bson:"updated_at"`
	DoneAt     time.Time `bson:"done_at,omitempty"`
}

// OutboxKey is the unique key of an outbox item.
func OutboxKey(job, period, recipient string) string { return job + "|" + period + "|" + recipient }

// UserPlatform returns the platform part of a user id (see Identity.UserID),
// the platform an item for that user is delivered on.
func UserPlatform(userID string) string {
	p, _, _ := strings.Cut(userID, ":")
	return p
}

// EnsureSchedulerIndexes creates the indexes of the scheduler's collections.
func (s *Store) EnsureSchedulerIndexes(ctx context.Context) error {
	ix := []struct {
		coll string
		keys bson.D
	}{
		{colOutbox, bson.D{{Key: "status", Value: 1}, {Key: "due", Value: 1}}},
		{colOutbox, bson.D{{Key: "status", Value: 1}, {Key: "platform", Value: 1}, {Key: "due", Value: 1}}},
		{colOutbox, bson.D{{Key: "status", Value: 1}, {Key: "updated_at", Value: -1}}},
		{colClaims, bson.D{{Key: "at", Value: 1}}},
	}
	for _, i := range ix {
		if _, err := s.db.Collection(i.coll).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: i.keys}); err != nil {
			return fmt.Errorf("create index on %s: %w", i.coll, err)
		}
	}
	return nil
}

// outboxFields are a new item's fields (everything but _id).
func outboxFields(it *OutboxItem) bson.D {
	d := bson.D{
		{Key: "job", Value: it.Job},
		{Key: "period", Value: it.Period},
		{Key: "recipient", Value: it.Recipient},
		{Key: "due", Value: it.Due.UTC()},
		{Key: "status", Value: OutboxPending},
		{Key: "attempt", Value: 0},
		{Key: "failures", Value: 0},
		{Key: "created_at", Value: it.CreatedAt},
		{Key: "updated_at", Value: it.CreatedAt},
	}
	if it.Platform != "" {
		d = append(d, bson.E{Key: "platform", Value: it.Platform})
	}
	if it.ClassID != "" {
		d = append(d, bson.E{Key: "class_id", Value: it.ClassID})
	}
	if it.Conference != 0 {
		d = append(d, bson.E{Key: "conference", Value: it.Conference}, bson.E{Key: "conference_at", Value: it.ConferenceAt.UTC()})
	}
	if it.Ref != "" {
		d = append(d, bson.E{Key: "ref", Value: it.Ref})
	}
	if !it.From.IsZero() {
		d = append(d, bson.E{Key: "from", Value: it.From.UTC()})
	}
	return d
}

// PlanOutbox adds items that are not in the outbox yet, in one unordered
// bulk write of inserts keyed by ID; items already planned are left as they
// are (their inserts fail on the unique _id and are ignored). It returns how
// many were new.
//
// Inserts rather than upserts: FerretDB v1 (SQLite) looks up {_id: v} with an
// expression its _id index doesn't cover, so every upsert scans the whole
// collection, while an insert's uniqueness check uses the index. Measured in
// scheduler's BenchmarkPlan.
func (s *Store) PlanOutbox(ctx context.Context, items []OutboxItem) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	now := s.Now()
	models := make([]mongo.WriteModel, len(items))
	for i := range items {
		it := &items[i]
		it.ID = OutboxKey(it.Job, it.Period, it.Recipient)
		if it.CreatedAt.IsZero() {
			it.CreatedAt = now
		}
		doc := append(bson.D{{Key: "_id", Value: it.ID}}, outboxFields(it)...)
		models[i] = mongo.NewInsertOneModel().SetDocument(doc)
	}
	res, err := s.db.Collection(colOutbox).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	if err != nil && !onlyDuplicates(err) {
		return 0, fmt.Errorf("plan outbox: %w", err)
	}
	if res == nil {
		return 0, nil
	}
	return int(res.InsertedCount), nil
}

// onlyDuplicates reports whether a bulk write failed only on duplicate keys
// (another planner upserted the same item first).
func onlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return false
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return false
		}
	}
	return true
}

// ClaimOutbox claims up to limit items that are due at now — pending ones, and
// sending ones whose worker's lease ran out — for owner, until now+lease.
// Each claim is won by exactly one caller, across replicas. If platforms is
// not nil, only items delivered on those platforms are claimed (and items
// that name no platform): the rest wait for a process that runs theirs.
func (s *Store) ClaimOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int, platforms []string) ([]OutboxItem, error) {
	cands, err := s.DueOutbox(ctx, now, limit, platforms)
	if err != nil {
		return nil, err
	}
	out := cands[:0]
	for _, c := range cands {
		it, won, err := s.ClaimOutboxItem(ctx, owner, c, now, lease)
		if err != nil {
			return out, err
		}
		if won {
			out = append(out, *it)
		}
	}
	return out, nil
}

// DueOutbox returns up to limit items that are due at now (pending ones,
// and sending ones whose worker's lease ran out), earliest first, without
// claiming them: a worker claims each with ClaimOutboxItem when it is about
// to send it, so one query serves many sends and a worker holds only what
// it is sending. If platforms is not nil, only items delivered on those
// platforms are returned (and items that name no platform).
//
// The platforms are part of the query, not a filter on its answer, so that
// items for other platforms never fill the limit and starve this process.
func (s *Store) DueOutbox(ctx context.Context, now time.Time, limit int, platforms []string) ([]OutboxItem, error) {
	now = now.UTC()
	pending := bson.D{{Key: "status", Value: OutboxPending}, {Key: "due", Value: bson.D{{Key: "$lte", Value: now}}}}
	expired := bson.D{{Key: "status", Value: OutboxSending}, {Key: "lease_until", Value: bson.D{{Key: "$lte", Value: now}}}}
	if platforms != nil {
		// null in $in also matches a missing field: items planned before
		// items had a platform.
		in := make(bson.A, 0, len(platforms)+1)
		for _, p := range platforms {
			in = append(in, p)
		}
		in = append(in, nil)
		on := bson.E{Key: "platform", Value: bson.D{{Key: "$in", Value: in}}}
		pending, expired = append(pending, on), append(expired, on)
	}
	filter := bson.D{{Key: "$or", Value: bson.A{pending, expired}}}
	cur, err := s.db.Collection(colOutbox).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "due", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("find due outbox items: %w", err)
	}
	var cands []OutboxItem
	if err := cur.All(ctx, &cands); err != nil {
		return nil, fmt.Errorf("find due outbox items: %w", err)
	}
	return cands, nil
}

// ClaimOutboxItem claims an item DueOutbox returned for owner until
// now+lease, and returns it as claimed. It is false if another worker
// claimed it first, or if the item changed since it was found (its next
// attempt is someone's already).
func (s *Store) ClaimOutboxItem(ctx context.Context, owner string, c OutboxItem, now time.Time, lease time.Duration) (*OutboxItem, bool, error) {
	now = now.UTC()
	cid := c.ID + "#" + strconv.Itoa(c.Attempt+1)
	won, err := s.claim(ctx, cid, owner, now)
	if err == nil && !won {
		won, err = s.takeOrphanClaim(ctx, c, cid, owner, now, lease)
	}
	if err != nil || !won {
		return nil, false, err
	}
	// Winning the claim makes this attempt ours, so the update needs no
	// other condition than _id (the one filter FerretDB v1 runs on an index).
	// It runs to the end even if ctx is cancelled meanwhile: a claim without
	// its update would leave the item pending under an attempt nobody can win.
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var it OutboxItem
	err = s.db.Collection(colOutbox).FindOneAndUpdate(uctx,
		bson.D{{Key: "_id", Value: c.ID}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "status", Value: OutboxSending}, {Key: "owner", Value: owner}, {Key: "attempt", Value: c.Attempt + 1},
			{Key: "lease_until", Value: now.Add(lease)}, {Key: "updated_at", Value: now},
		}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&it)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("claim outbox item %s: %w", c.ID, err)
	}
	return &it, true, nil
}

// RenewOutboxClaims extends to until the lease of items a worker holds and
// is still sending, so no other worker takes them meanwhile, while a worker
// that dies stops renewing and its items are taken over as soon as their
// lease runs out. The caller renews only leases that have not run out yet
// (else another worker may hold the item now), so the updates need no other
// condition than _id (the one filter FerretDB v1 runs on an index): one
// unordered bulk write.
func (s *Store) RenewOutboxClaims(ctx context.Context, ids []string, until time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "lease_until", Value: until.UTC()}}}}
	models := make([]mongo.WriteModel, len(ids))
	for i, id := range ids {
		models[i] = updateByID(id, set)
	}
	if _, err := s.db.Collection(colOutbox).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
		return fmt.Errorf("renew outbox claims: %w", err)
	}
	return nil
}

// claim inserts the claim document id; false if someone else holds it.
func (s *Store) claim(ctx context.Context, id, owner string, now time.Time) (bool, error) {
	_, err := s.db.Collection(colClaims).InsertOne(ctx, bson.D{
		{Key: "_id", Value: id}, {Key: "owner", Value: owner}, {Key: "at", Value: now},
	})
	switch {
	case err == nil:
		return true, nil
	case mongo.IsDuplicateKeyError(err):
		return false, nil
	}
	return false, fmt.Errorf("claim %s: %w", id, err)
}

// takeOrphanClaim claims item c's next attempt whose claim cid exists but
// is an orphan: older than lease while the item never moved to that
// attempt, because its claimer died between the claim and the item's
// update. The orphan is removed and claimed again; the unique _id still
// decides one winner.
func (s *Store) takeOrphanClaim(ctx context.Context, c OutboxItem, cid, owner string, now time.Time, lease time.Duration) (bool, error) {
	var old struct {
		At time.Time `bson:"at"`
	}
	if err := s.db.Collection(colClaims).FindOne(ctx, bson.D{{Key: "_id", Value: cid}}).Decode(&old); err != nil || now.Sub(old.At) < lease {
		return false, nil // held (or just released): someone else's
	}
	var cur OutboxItem
	if err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: c.ID}}).Decode(&cur); err != nil || cur.Attempt != c.Attempt {
		return false, nil // the claimer did update it: not an orphan
	}
	if _, err := s.db.Collection(colClaims).DeleteOne(ctx, bson.D{{Key: "_id", Value: cid}, {Key: "at", Value: old.At}}); err != nil {
		return false, fmt.Errorf("drop orphan claim %s: %w", cid, err)
	}
	return s.claim(ctx, cid, owner, now)
}

// OutboxResult is what became of one claimed send.
type OutboxResult struct {
	Status OutboxStatus // sent, failed, skipped, or pending to retry at Due
	Due    time.Time    // when to retry (Status pending)
	Reason string
	// Transient counts the attempt as a failure towards the retry limit.
	Transient bool
}

// FinishOutbox records the result of attempt of item id. It changes nothing
// if the item was claimed again since (a worker whose lease ran out).
func (s *Store) FinishOutbox(ctx context.Context, id string, attempt int, r OutboxResult) error {
	now := s.Now()
	set := bson.D{{Key: "status", Value: r.Status}, {Key: "updated_at", Value: now}, {Key: "reason", Value: r.Reason}}
	if r.Status == OutboxPending {
		set = append(set, bson.E{Key: "due", Value: r.Due.UTC()})
	} else {
		set = append(set, bson.E{Key: "done_at", Value: now})
	}
	update := bson.D{{Key: "$set", Value: set}}
	if r.Transient {
		update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "failures", Value: 1}}})
	}
	// Check the attempt, then update by _id alone: FerretDB v1 scans the whole
	// collection for any filter but {_id: v}. The gap between the two only
	// matters to a worker whose lease ran out, and then its result is true
	// anyway (it did send or fail).
	var cur struct {
		Attempt int `bson:"attempt"`
	}
	if err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&cur); err != nil {
		return fmt.Errorf("finish outbox item %s: %w", id, translate(err))
	}
	if cur.Attempt != attempt {
		return nil
	}
	filter := bson.D{{Key: "_id", Value: id}}
	if _, err := s.db.Collection(colOutbox).UpdateOne(ctx, filter, update); err != nil {
		return fmt.Errorf("finish outbox item %s: %w", id, err)
	}
	return nil
}

// onFerretDB reports whether the server is FerretDB, whose query planner
// runs only {_id: v} filters on an index.
func (s *Store) onFerretDB(ctx context.Context) bool {
	var info bson.M
	if err := s.db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return false
	}
	_, ok := info["ferretdbVersion"]
	return ok
}

// OutboxItemByID returns one outbox item.
func (s *Store) OutboxItemByID(ctx context.Context, id string) (*OutboxItem, error) {
	var it OutboxItem
	if err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&it); err != nil {
		return nil, fmt.Errorf("load outbox item %s: %w", id, translate(err))
	}
	return &it, nil
}

// NextOutboxDue returns the earliest Due of a pending item after after;
// false if there is none.
func (s *Store) NextOutboxDue(ctx context.Context, after time.Time) (time.Time, bool, error) {
	var it OutboxItem
	err := s.db.Collection(colOutbox).FindOne(ctx,
		bson.D{{Key: "status", Value: OutboxPending}, {Key: "due", Value: bson.D{{Key: "$gt", Value: after.UTC()}}}},
		options.FindOne().SetSort(bson.D{{Key: "due", Value: 1}})).Decode(&it)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next outbox due: %w", err)
	}
	return it.Due, true, nil
}

// OutboxCounts counts outbox items by status.
func (s *Store) OutboxCounts(ctx context.Context) (map[OutboxStatus]int64, error) {
	cur, err := s.db.Collection(colOutbox).Aggregate(ctx, mongo.Pipeline{
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$status"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	var rows []struct {
		Status OutboxStatus `bson:"_id"`
		N      int64        `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	out := make(map[OutboxStatus]int64, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// OutboxItems returns items with a status, most recently updated first.
func (s *Store) OutboxItems(ctx context.Context, status OutboxStatus, limit int) ([]OutboxItem, error) {
	opts := options.Find().SetSort(bson.D{{Key: "updated_at", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	cur, err := s.db.Collection(colOutbox).Find(ctx, bson.D{{Key: "status", Value: status}}, opts)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	var out []OutboxItem
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// SweepOutbox deletes finished items and claims older than before, so the
// outbox doesn't grow without end (FerretDB v1 has no TTL indexes).
func (s *Store) SweepOutbox(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Collection(colOutbox).DeleteMany(ctx, bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{OutboxSent, OutboxFailed, OutboxSkipped}}}},
		{Key: "updated_at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}},
	})
	if err != nil {
		return 0, fmt.Errorf("sweep outbox: %w", err)
	}
	if _, err := s.db.Collection(colClaims).DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}}); err != nil {
		return 0, fmt.Errorf("sweep claims: %w", err)
	}
	return res.DeletedCount, nil
}
