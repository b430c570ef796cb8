package desk

import "time"

// Topic groups tickets about the same matter — the hundred letters about
// one late relief payment — so that staff answer them once (issue 7). A
// topic belongs to one agency; its tickets are in that agency.
type Topic struct {
	ID        string    `bson:"_id" json:"id"`
	Title     string    `bson:"title" json:"title"`
	Agency    string    `bson:"agency" json:"agency"`
	Tickets   []string  `bson:"tickets" json:"tickets"` // ticket ids
	CreatedBy string    `bson:"created_by" json:"created_by"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	// Answer is the last answer given to the whole topic.
	Answer     string    `bson:"answer,omitempty" json:"answer,omitempty"`
	AnsweredBy string    `bson:"answered_by,omitempty" json:"answered_by,omitempty"`
	AnsweredAt time.Time `bson:"answered_at,omitempty" json:"answered_at,omitzero"`
}

// EventTopic records that a ticket was grouped under a topic.
const EventTopic = "topic"
