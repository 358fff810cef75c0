// Package web is lssr's read-only local web view of sweeps (`lssr serve`):
// the sweeps with their progress, one sweep's heatmap, counts, ETA, fits
// and verdict, one job's learning curves and records, the same data as JSON
// under /api, and server-sent events that tell an open page when a running
// sweep's jobs change.
//
// # Reading without harming a sweep
//
// Every request opens the database read-only and closes it before it
// answers: a reader that kept the file open would make a new `lssr sweep
// run` wait for it or fail. While a writer runs, the store answers the
// reads through the writer's read service. The view never writes.
//
// # Live updates
//
// One poller per watched sweep, shared by the pages that watch it, reads
// the sweep's job records every Options.Poll (or, when a read takes long,
// four times as long as it took) while someone listens and sends an event
// when the jobs' fingerprint changes. The analysis and the heatmap images
// (one per set of drawing options a page asked for) are cached per sweep
// under that fingerprint, so a reload of an unchanged sweep costs one read
// of its job records. Pages are rendered on the server; the script only
// adds the live updates.
//
// # The report's figures
//
// The heatmap and a job's learning curves are drawn by the report's figure
// code (report.RenderHeatmap, report.RenderJobCurves), so the view and
// lssr report never draw them differently.
package web
