package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot/storage/storagetest"
)

// BenchmarkOperationKinds times one operation of each kind a check-in could
// use, on one small collection of the embedded database: the floor under
// any design of /plp checkin there. An update costs more than an insert
// whatever its filter, and findAndModify more again, so a check-in that
// both moves its goal and adds to the history costs at least an update
// plus an insert (README, "The check-in on the embedded database").
//
//	go test -run '^$' -bench OperationKinds -benchtime 300x -count 3 ./storage
func BenchmarkOperationKinds(b *testing.B) {
	s := storagetest.New(b, nil)
	ctx := context.Background()
	c := storagetest.Collection(b, s, "goals")
	h := storagetest.Collection(b, s, "checkins")
	_, _ = c.InsertOne(ctx, bson.D{{Key: "_id", Value: "g1"}, {Key: "status", Value: "active"}, {Key: "progress", Value: 0}, {Key: "title", Value: "Read three novels"}, {Key: "last_checkin", Value: time.Unix(0, 0)}})
	i := 0
	b.Run("insert", func(b *testing.B) {
		for b.Loop() {
			i++
			if _, err := h.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint("c", i)}, {Key: "percent", Value: i}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("update-by-id", func(b *testing.B) {
		for b.Loop() {
			i++
			if _, err := c.UpdateMany(ctx, bson.D{{Key: "_id", Value: "g1"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "progress", Value: i % 100}}}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("update-filtered", func(b *testing.B) {
		for b.Loop() {
			i++
			if _, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: "g1"}, {Key: "status", Value: "active"}, {Key: "last_checkin", Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gt", Value: time.Now()}}}}}}, bson.D{{Key: "$set", Value: bson.D{{Key: "progress", Value: i % 100}, {Key: "last_checkin", Value: time.Now()}}}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("findAndModify-filtered", func(b *testing.B) {
		for b.Loop() {
			i++
			r := c.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "g1"}, {Key: "status", Value: "active"}, {Key: "last_checkin", Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gt", Value: time.Now()}}}}}}, bson.D{{Key: "$set", Value: bson.D{{Key: "progress", Value: i % 100}, {Key: "last_checkin", Value: time.Now()}}}}, options.FindOneAndUpdate().SetReturnDocument(options.Before))
			if r.Err() != nil {
				b.Fatal(r.Err())
			}
		}
	})
	b.Run("find-by-id", func(b *testing.B) {
		for b.Loop() {
			if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: "g1"}}).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
