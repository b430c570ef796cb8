package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// InsertSubmission stores sub durably. When a submission with the same
// idempotency key already exists it stores nothing and returns the existing
// one with created=false, so a retried request gets the same tracking code.
func (s *Store) InsertSubmission(ctx context.Context, sub *desk.Submission) (stored *desk.Submission, created bool, err error) {
	defer s.lockWrite()()
	for attempt := 0; attempt < 3; attempt++ {
		_, err = s.subs.InsertOne(ctx, sub)
		if err == nil {
			s.feed.submissionsWritten(sub)
			return sub, true, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, false, fmt.Errorf("insert submission: %w", err)
		}
		var existing desk.Submission
		ferr := s.subs.FindOne(ctx, bson.D{{Key: "key", Value: sub.Key}}).Decode(&existing)
		if ferr == nil {
			return &existing, false, nil
		}
		if ferr != mongo.ErrNoDocuments {
			return nil, false, fmt.Errorf("read existing submission: %w", ferr)
		}
		// The key is new, so the tracking code (or the id) collided: draw
		// fresh ones. At ~49 bits this is vanishingly rare.
		sub.ID = NewID()
		sub.TrackingCode = desk.NewTrackingCode()
	}
	return nil, false, fmt.Errorf("insert submission: %w", err)
}

// Submission returns one submission by id.
func (s *Store) Submission(ctx context.Context, id string) (*desk.Submission, error) {
	var sub desk.Submission
	if err := s.subs.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&sub); err != nil {
		return nil, notFound(err, "submission "+id)
	}
	return &sub, nil
}

// MarkSubmissionProcessed records that the submission's ticket exists.
func (s *Store) MarkSubmissionProcessed(ctx context.Context, id, ticketID string) error {
	defer s.lockWrite()()
	_, err := s.subs.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: desk.SubmissionProcessed}, {Key: "ticket_id", Value: ticketID}}}})
	if err == nil {
		s.feed.submissionDone(id)
	}
	return err
}

// StaleSubmissions returns ids of submissions still "received" that arrived
// before cutoff, oldest first.
func (s *Store) StaleSubmissions(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	return s.reads.StaleSubmissions(ctx, cutoff, limit)
}

// StaleSubmissions asks the index "status_received".
func (r *indexReads) StaleSubmissions(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	cur, err := r.s.subs.Find(ctx,
		bson.D{{Key: "status", Value: desk.SubmissionReceived}, {Key: "received_at", Value: bson.D{{Key: "$lt", Value: cutoff}}}},
		options.Find().SetSort(bson.D{{Key: "status", Value: 1}, {Key: "received_at", Value: 1}}).SetLimit(int64(limit)).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// CountSubmissions counts submissions matching status ("" for all).
func (s *Store) CountSubmissions(ctx context.Context, status desk.SubmissionStatus) (int64, error) {
	f := bson.D{}
	if status != "" {
		f = bson.D{{Key: "status", Value: status}}
	}
	return s.subs.CountDocuments(ctx, f)
}

// SubmissionByCode finds a submission by tracking code; the tracking page
// uses it while the ticket is still being made.
func (s *Store) SubmissionByCode(ctx context.Context, code string) (*desk.Submission, error) {
	return s.reads.SubmissionByCode(ctx, code)
}

// SubmissionByCode reads by the unique index on tracking_code.
func (r *indexReads) SubmissionByCode(ctx context.Context, code string) (*desk.Submission, error) {
	var sub desk.Submission
	if err := r.s.subs.FindOne(ctx, bson.D{{Key: "tracking_code", Value: code}}).Decode(&sub); err != nil {
		return nil, notFound(err, "submission")
	}
	return &sub, nil
}

// InsertSubmissions bulk-inserts submissions, unordered, for demo data and
// benchmarks.
func (s *Store) InsertSubmissions(ctx context.Context, subs []*desk.Submission) error {
	defer s.lockWrite()()
	if len(subs) == 0 {
		return nil
	}
	docs := make([]any, len(subs))
	for i, sub := range subs {
		docs[i] = sub
	}
	_, err := s.subs.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("insert submissions: %w", err)
	}
	s.feed.submissionsWritten(subs...)
	return nil
}
