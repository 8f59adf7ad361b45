package outfile_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/separatrix-audio/separatrix/io/outfile"
)

func Example() {
	dir, err := os.MkdirTemp("", "outfile-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if dir, err = filepath.EvalSymlinks(dir); err != nil { // as messages show it
		log.Fatal(err)
	}
	score := filepath.Join(dir, "take.mid")
	if err := os.WriteFile(score, []byte("MThd..."), 0o644); err != nil {
		log.Fatal(err)
	}
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(dir)

	// A careless command line: the audio would go over the score it plays.
	var files outfile.Files
	files.Input("--score", "take.mid")
	files.Output("-o", "./take.mid")
	err = files.Check()
	fmt.Println(strings.ReplaceAll(err.Error(), dir, "DIR"))

	// A good one: the output appears, complete, at Commit.
	files = outfile.Files{}
	files.Input("--score", "take.mid")
	audio := files.Output("-o", "take.wav")
	if err := files.Check(); err != nil {
		log.Fatal(err)
	}
	defer files.Abort()
	f, err := audio.Create()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprint(f, "RIFF...")
	_, err = os.Stat("take.wav")
	fmt.Println("before Commit:", os.IsNotExist(err))
	if err := files.Commit(); err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile("take.wav")
	fmt.Println("after Commit:", string(b))
	// Output:
	// -o ./take.mid would overwrite --score take.mid (both lead to DIR/take.mid), which this command reads: choose another output file
	// before Commit: true
	// after Commit: RIFF...
}
