package store

import (
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// MessagesSet returns the $set entry that replaces a ticket's messages,
// for a change to one message's state (accepting or detaching a mail from
// another address). Rewriting the array is safe because every ticket
// write is a compare-and-set on the version the messages were read at.
func MessagesSet(msgs []desk.Message) bson.D {
	return bson.D{{Key: "messages", Value: msgs}}
}
