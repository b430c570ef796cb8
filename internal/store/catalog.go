package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// UpsertAgency creates or replaces an agency by code.
func (s *Store) UpsertAgency(ctx context.Context, a desk.Agency) error {
	defer s.lockWrite()()
	_, err := s.agencies.ReplaceOne(ctx, bson.D{{Key: "_id", Value: a.Code}}, a, options.Replace().SetUpsert(true))
	return err
}

// UpsertCategory creates or replaces a category by code.
func (s *Store) UpsertCategory(ctx context.Context, c desk.Category) error {
	defer s.lockWrite()()
	_, err := s.categories.ReplaceOne(ctx, bson.D{{Key: "_id", Value: c.Code}}, c, options.Replace().SetUpsert(true))
	return err
}

// Catalog loads every agency and category.
func (s *Store) Catalog(ctx context.Context) (*desk.Catalog, error) {
	var agencies []desk.Agency
	cur, err := s.agencies.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("load agencies: %w", err)
	}
	if err := cur.All(ctx, &agencies); err != nil {
		return nil, fmt.Errorf("load agencies: %w", err)
	}
	var cats []desk.Category
	cur, err = s.categories.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "order", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("load categories: %w", err)
	}
	if err := cur.All(ctx, &cats); err != nil {
		return nil, fmt.Errorf("load categories: %w", err)
	}
	return desk.NewCatalog(agencies, cats), nil
}
