package store

// Topics (issue 7): tickets grouped to be answered together. A topic is one
// document read and written by _id (the only filter FerretDB answers from
// an index); a ticket names its topic in Ticket.Topic, set through
// UpdateTicketWith like every other ticket change.

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/civicdesk/civicdesk/internal/desk"
)

func (s *Store) topics() *mongo.Collection { return s.db.Collection("topics") }

// InsertTopic stores a new topic.
func (s *Store) InsertTopic(ctx context.Context, t *desk.Topic) error {
	defer s.lockWrite()()
	if _, err := s.topics().InsertOne(ctx, t); err != nil {
		return fmt.Errorf("insert topic: %w", err)
	}
	return nil
}

// Topic reads a topic by id, with no scoping (the topics service checks
// the actor against the topic's agency).
func (s *Store) Topic(ctx context.Context, id string) (*desk.Topic, error) {
	var t desk.Topic
	if err := s.topics().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&t); err != nil {
		return nil, notFound(err, "topic")
	}
	return &t, nil
}

// AddTopicTickets adds ticket ids to a topic ($addToSet: adding twice is
// harmless).
func (s *Store) AddTopicTickets(ctx context.Context, id string, ticketIDs ...string) error {
	defer s.lockWrite()()
	res, err := s.topics().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "tickets", Value: bson.D{{Key: "$each", Value: ticketIDs}}}}}})
	if err != nil {
		return fmt.Errorf("add to topic: %w", err)
	}
	if res.MatchedCount == 0 {
		return desk.Errorf(desk.ENOTFOUND, "Không tìm thấy chủ đề (topic not found).")
	}
	return nil
}

// SetTopicAnswer records the answer given to the whole topic.
func (s *Store) SetTopicAnswer(ctx context.Context, id, answer, by string, at time.Time) error {
	defer s.lockWrite()()
	_, err := s.topics().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "answer", Value: answer}, {Key: "answered_by", Value: by}, {Key: "answered_at", Value: at}}}})
	if err != nil {
		return fmt.Errorf("answer topic: %w", err)
	}
	return nil
}

// SetTicketTopic files a ticket under a topic: one compare-and-set with
// its event, like every ticket change.
func (s *Store) SetTicketTopic(ctx context.Context, ticketID string, version int64, topicID, actor string, now time.Time) (*desk.Ticket, error) {
	return s.UpdateTicketWith(ctx, ticketID, version, TicketChange{
		Set:   bson.D{{Key: "topic", Value: topicID}},
		Event: desk.Event{Actor: actor, Type: desk.EventTopic, To: topicID},
	}, now)
}

// AnswerChange is the change that answers a ticket with a public reply:
// status answered, the reply appended, AnsweredAt set, and
// FirstResponseAt set when the ticket had none. The topics service uses it
// (through tickets.Service.Apply, which keeps the SLA clock and re-indexes)
// only when no workspace Reply is wired.
func AnswerChange(t *desk.Ticket, actor, msgID, body string, now time.Time) TicketChange {
	set := bson.D{{Key: "answered_at", Value: now}}
	if t.FirstResponseAt.IsZero() {
		set = append(set, bson.E{Key: "first_response_at", Value: now})
	}
	return TicketChange{
		Status:  desk.StatusAnswered,
		Set:     set,
		Message: &desk.Message{ID: msgID, At: now, Kind: desk.MessageReply, Author: actor, Body: body},
		Event:   desk.Event{Actor: actor, Type: desk.EventStatus, From: string(t.Status), To: string(desk.StatusAnswered), Note: "topic answer", Public: true},
	}
}
