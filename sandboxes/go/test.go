// Self-test of the Go sandbox: reads "ping" on stdin, prints OK.
package main

import "fmt"

func main() {
	var s string
	fmt.Scan(&s)
	if s == "ping" {
		fmt.Println("OK")
	} else {
		fmt.Println("NO")
	}
}
