package main

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/atomicfile"
	"github.com/lssr/lssr/report"
)

// No command replaces a file it did not create unless told to with --force.
// These checks run before anything is read or written, so a refusal is one
// line, exit status 2, and nothing written.

// checkOutFile checks the file path that a command is about to write
// (atomically) for flag: bad input when it is a folder, when its folder is
// missing, or when it exists and force is false.
func checkOutFile(flag, path string, force bool) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return lssr.BadInput("%s %s is a folder; give a file path", flag, path)
	case err == nil && !force:
		return lssr.BadInput("%s %s exists; pass --force to replace it", flag, path)
	case err == nil:
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return lssr.BadInput("%s %s: %v", flag, path, unwrapPath(err))
	}
	if _, err := os.Lstat(path); err == nil && !force {
		// A symbolic link to nowhere: writing would replace the link.
		return lssr.BadInput("%s %s exists; pass --force to replace it", flag, path)
	}
	if dir, err := os.Stat(filepath.Dir(path)); err != nil || !dir.IsDir() {
		return lssr.BadInput("%s %s: the folder %s does not exist", flag, path, filepath.Dir(path))
	}
	return nil
}

// reportMarker is the file 'lssr report' writes first into its --out
// folder. A folder holding it, or holding the heatmap, fit.json and
// summary.md of a report written before the marker was, is lssr's own
// report: report rewrites it without --force.
const reportMarker = ".lssr-report"

// checkReportDir checks the folder that 'lssr report' is about to write
// into: bad input when it is not a folder, or when it holds anything but a
// report lssr wrote and force is false (the report would replace files of
// the same names and remove stale figures). A missing or empty folder is
// fine.
func checkReportDir(path string, force bool) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return lssr.BadInput("--out %s: %v", path, unwrapPath(err))
	case !fi.IsDir():
		return lssr.BadInput("--out %s exists and is not a folder", path)
	case force:
		return nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return lssr.BadInput("--out %s: %v", path, unwrapPath(err))
	}
	if len(entries) == 0 || isReportDir(path) {
		return nil
	}
	return lssr.BadInput("--out %s holds files lssr did not write; pass --force to write the report into it (files of the same names are replaced)", path)
}

// isReportDir reports whether the folder holds a report lssr wrote.
func isReportDir(path string) bool {
	if _, err := os.Stat(filepath.Join(path, reportMarker)); err == nil {
		return true
	}
	for _, name := range []string{report.HeatmapFile, report.FitJSONFile, report.SummaryFile} {
		if _, err := os.Stat(filepath.Join(path, name)); err != nil {
			return false
		}
	}
	return true
}

// markReportDir creates the folder if need be and writes the marker into
// it, before the report's files: a report cut short is still recognised.
func markReportDir(path string) error {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(path, reportMarker),
		[]byte("This folder holds a report written by 'lssr report', which rewrites it without --force.\n"), 0o644)
}

// unwrapPath drops the operation and path from an *os.PathError, which the
// message already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
