package web

import (
	"fmt"
	"io"
	"strconv"

	"github.com/lssr/lssr/internal/sweepdata"
	"github.com/lssr/lssr/report"
)

// jobRun is the job as the report sees it: its record and stored series.
func jobRun(d *jobData) report.Run { return sweepdata.Run(d.rec, d.series) }

// curvesOptions heads the figure with the sweep and job it belongs to.
func curvesOptions(name string, d *jobData, format string) report.JobCurvesOptions {
	j := d.rec.Job
	return report.JobCurvesOptions{Format: format, Title: fmt.Sprintf("%s · job %s — b=%d, η=%s, seed %d",
		name, j.ID, j.BatchSize, strconv.FormatFloat(j.LR, 'g', 4, 64), j.Seed)}
}

// renderJobCurves draws the job's learning curves with the report's
// figure code (report.RenderJobCurves), so the page and the report never
// draw them differently; a job with nothing to draw is report.ErrNoCurves.
func renderJobCurves(w io.Writer, name string, d *jobData, format string) error {
	return report.RenderJobCurves(w, jobRun(d), curvesOptions(name, d, format))
}
