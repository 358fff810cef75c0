package testutil

import "bytes"

// cifarRecordBytes is the size of one record of the CIFAR-10 binary
// format: a label byte, then 3×32×32 pixel bytes.
const cifarRecordBytes = 1 + 3*32*32

// FakeCIFAR returns the six batch files of a small CIFAR-10 look-alike in
// the binary format, keyed by their names (data_batch_1.bin to
// data_batch_5.bin and test_batch.bin): perFile records each, record i
// with label i mod 10 and every pixel 0.
func FakeCIFAR(perFile int) map[string][]byte {
	batch := make([]byte, perFile*cifarRecordBytes)
	for i := range perFile {
		batch[i*cifarRecordBytes] = byte(i % 10)
	}
	files := map[string][]byte{}
	for _, name := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"} {
		files[name] = bytes.Clone(batch)
	}
	return files
}
