package web

import (
	"net/url"
	"strconv"

	"github.com/lssr/lssr/report"
)

// heatOptions are the sweep page's drawing options of its heatmap, those
// of lssr report: what the colour shows (colour=mean|se), a fixed colour
// range (range=LO,HI) or the automatic one clipped to the ridge's band
// (clip=1), and the values printed in the cells (values=1).
type heatOptions struct {
	Colour string // report.ColourMean or report.ColourSE
	Range  string // "LO,HI" as read (1.5e1 is 15); "" for the automatic range
	Clip   bool
	Values bool

	rng report.ColourRange
}

// parseHeatOptions reads the options from a query; an empty or absent
// field is its default. A value it cannot read is a bad query, in one line.
func parseHeatOptions(q url.Values) (heatOptions, error) {
	o := heatOptions{Colour: report.ColourMean, Range: q.Get("range")}
	switch c := q.Get("colour"); c {
	case "", report.ColourMean:
	case report.ColourSE:
		o.Colour = c
	default:
		return heatOptions{}, badQuery("colour: want %s or %s, got %q", report.ColourMean, report.ColourSE, c)
	}
	var err error
	if o.Clip, err = flagQuery(q, "clip"); err != nil {
		return heatOptions{}, err
	}
	if o.Values, err = flagQuery(q, "values"); err != nil {
		return heatOptions{}, err
	}
	if o.Range != "" {
		if o.rng, err = report.ParseColourRange(o.Range); err != nil {
			return heatOptions{}, badQuery("range: %v", err)
		}
		o.Range = strconv.FormatFloat(o.rng.Lo, 'g', -1, 64) + "," + strconv.FormatFloat(o.rng.Hi, 'g', -1, 64)
	}
	if err := o.report(report.FormatPNG).Check(); err != nil {
		return heatOptions{}, badQuery("%v", err)
	}
	return o, nil
}

// flagQuery reads a checkbox: absent, "" or "0" is off; "1", "on" (what a
// form sends) or "true" is on.
func flagQuery(q url.Values, name string) (bool, error) {
	switch v := q.Get(name); v {
	case "", "0", "false":
		return false, nil
	case "1", "on", "true":
		return true, nil
	default:
		return false, badQuery("%s: want 1 or 0, got %q", name, v)
	}
}

// report is the options as RenderHeatmap takes them, in format.
func (o heatOptions) report(format string) report.HeatmapOptions {
	return report.HeatmapOptions{Colour: o.Colour, Format: format, Range: o.rng, Clip: o.Clip, Values: o.Values}
}

// query is the options that differ from the defaults, in the order of the
// form: what the page and image URLs carry. Equal options give equal
// queries, so it also keys the drawings of an analysis.
func (o heatOptions) query() url.Values {
	q := url.Values{}
	if o.Colour != report.ColourMean {
		q.Set("colour", o.Colour)
	}
	if o.Range != "" {
		q.Set("range", o.Range)
	}
	if o.Clip {
		q.Set("clip", "1")
	}
	if o.Values {
		q.Set("values", "1")
	}
	return q
}

// withQuery is u followed by the options' query and then extra (already
// encoded, without its "?" or "&"), if any.
func (o heatOptions) withQuery(u, extra string) string {
	q := o.query().Encode()
	switch {
	case q != "" && extra != "":
		return u + "?" + q + "&" + extra
	case q != "":
		return u + "?" + q
	case extra != "":
		return u + "?" + extra
	}
	return u
}
