package desk

// Catalog is the in-memory view of agencies and categories that routing,
// validation and the forms read on every request.
type Catalog struct {
	Agencies   []Agency
	Categories []Category
	agencies   map[string]*Agency
	categories map[string]*Category
}

// NewCatalog indexes agencies and categories by code.
func NewCatalog(agencies []Agency, categories []Category) *Catalog {
	c := &Catalog{
		Agencies:   agencies,
		Categories: categories,
		agencies:   make(map[string]*Agency, len(agencies)),
		categories: make(map[string]*Category, len(categories)),
	}
	for i := range c.Agencies {
		c.agencies[c.Agencies[i].Code] = &c.Agencies[i]
	}
	for i := range c.Categories {
		c.categories[c.Categories[i].Code] = &c.Categories[i]
	}
	return c
}

// Agency returns the agency with code, or nil.
func (c *Catalog) Agency(code string) *Agency { return c.agencies[code] }

// Category returns the category with code, or nil.
func (c *Catalog) Category(code string) *Category { return c.categories[code] }

// Path returns code and its ancestors, root first. Scoping matches on any
// element, so a ministry's staff see tickets held by its units.
func (c *Catalog) Path(code string) []string {
	var rev []string
	for a := c.agencies[code]; a != nil && len(rev) < 16; a = c.agencies[a.Parent] {
		rev = append(rev, a.Code)
	}
	out := make([]string, len(rev))
	for i, v := range rev {
		out[len(rev)-1-i] = v
	}
	return out
}

// Coordinator returns the coordinating office, or nil if none is marked.
func (c *Catalog) Coordinator() *Agency {
	for i := range c.Agencies {
		if c.Agencies[i].Coordinator {
			return &c.Agencies[i]
		}
	}
	return nil
}
