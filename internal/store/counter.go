package store

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// incrementByID applies update (an $inc, possibly with $set) to the
// document with _id id, creating it first from seed when there is none,
// and decodes the document as it is after the update into out (when out
// is not nil).
//
// It never sends an upsert. On the DocumentDB engine (FerretDB v2, the
// production-shaped test server) concurrent upserts of a document that
// does not exist yet lose updates: 30 concurrent {$inc: 1} upserts returned
// 1 to most of them and left a count far below 30. An insert of the seed,
// where a concurrent creator's duplicate key is ignored, followed by a
// plain update, counts every increment on every store, and costs one round
// trip once the document exists. On the embedded store an upsert would
// also scan the collection, where findAndModify by _id does not.
func incrementByID(ctx context.Context, c *mongo.Collection, id string, update bson.D, seed bson.D, out any) error {
	for attempt := 0; ; attempt++ {
		res := c.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}}, update,
			options.FindOneAndUpdate().SetReturnDocument(options.After))
		err := res.Err()
		if err == nil {
			if out != nil {
				return res.Decode(out)
			}
			return nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) || attempt == 2 {
			return err
		}
		doc := append(bson.D{{Key: "_id", Value: id}}, seed...)
		if _, err := c.InsertOne(ctx, doc); err != nil && !mongo.IsDuplicateKeyError(err) {
			return err
		}
	}
}
