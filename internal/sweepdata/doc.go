// Package sweepdata reads a stored sweep the way lssr's read-only views
// show it: the jobs of its current grid (Select), the runs and meta the
// report package analyses (Load, Run, Meta) and the remaining time
// (Estimate). The CLI (status, export, report, predict) and the web view
// (package web) share it, so they never disagree about which jobs a sweep
// has or how long it has left.
package sweepdata
