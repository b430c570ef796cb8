package web

import "github.com/civicdesk/civicdesk/internal/calendar"

// hcm is Vietnam's time zone, for dates shown to people.
var hcm = calendar.Location()
