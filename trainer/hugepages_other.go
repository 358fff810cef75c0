//go:build !linux

package trainer

// adviseHugePages does nothing: transparent huge pages are Linux's.
func adviseHugePages[F float](b []F) {}
