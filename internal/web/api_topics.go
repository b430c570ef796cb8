package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// Topics API (issue 7): group similar tickets and answer them once. Bearer
// only; scoping is in the topics service.

type topicInput struct {
	Title string   `json:"title"`
	Codes []string `json:"codes"`
	Body  string   `json:"body"`
}

func topicBody(c *fiber.Ctx) (topicInput, error) {
	var in topicInput
	if err := readJSON(c, &in); err != nil {
		return in, err
	}
	return in, nil
}

// apiCreateTopic: POST /api/v1/topics {"title", "codes": [...]} → 201.
func (s *Server) apiCreateTopic(c *fiber.Ctx) error {
	in, err := topicBody(c)
	if err != nil {
		return err
	}
	t, err := s.Topics.Create(c.UserContext(), userOf(c), in.Title, in.Codes)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(t)
}

// apiTopic: GET /api/v1/topics/:id → the topic and its tickets.
func (s *Server) apiTopic(c *fiber.Ctx) error {
	t, ts, err := s.Topics.Get(c.UserContext(), userOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []*desk.Ticket{}
	}
	return c.JSON(fiber.Map{"topic": t, "tickets": ts})
}

// apiTopicAddTickets: POST /api/v1/topics/:id/tickets {"codes": [...]}.
func (s *Server) apiTopicAddTickets(c *fiber.Ctx) error {
	in, err := topicBody(c)
	if err != nil {
		return err
	}
	t, err := s.Topics.Add(c.UserContext(), userOf(c), c.Params("id"), in.Codes)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

// apiTopicAnswer: POST /api/v1/topics/:id/answer {"body"}: every open
// ticket of the topic gets the answer as its own reply; the result lists
// which were answered, skipped (not open) or failed.
func (s *Server) apiTopicAnswer(c *fiber.Ctx) error {
	in, err := topicBody(c)
	if err != nil {
		return err
	}
	res, err := s.Topics.Answer(c.UserContext(), userOf(c), c.Params("id"), in.Body)
	if err != nil {
		return err
	}
	return c.JSON(res)
}
