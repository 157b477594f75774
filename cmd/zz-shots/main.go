package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	base, user := os.Args[1], os.Args[2]
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1366, 900), chromedp.UserDataDir(os.TempDir()+"/shots-"+user))
	a, c1 := chromedp.NewExecAllocator(context.Background(), opts...)
	defer c1()
	ctx, c2 := chromedp.NewContext(a)
	defer c2()
	ctx, c3 := context.WithTimeout(ctx, 120*time.Second)
	defer c3()
	must := func(err error) {
		if err != nil {
			fmt.Println("ERR", err)
		}
	}
	must(chromedp.Do(ctx, chromedp.Navigate(base+"/#/login"), chromedp.WaitVisible(chromedp.CSS("#login-username")),
		chromedp.SetValue(chromedp.CSS("#login-username"), user), chromedp.SetValue(chromedp.CSS("#login-password"), "bangfu-demo"),
		chromedp.Click(chromedp.CSS("#login-submit")), chromedp.WaitVisible(chromedp.CSS("#logout"))))
	for i, h := range os.Args[3:] {
		must(chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/?n=%d%s", base, i, h))))
		time.Sleep(1500 * time.Millisecond)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		must(err)
		name := fmt.Sprintf("/tmp/shot-%s-%s.png", user, strings.NewReplacer("#/", "", "/", "_", "?", "_").Replace(h))
		os.WriteFile(name, png, 0o644)
		fmt.Println(name)
	}
}
