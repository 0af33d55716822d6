# Homebrew cask for the CodeFace desktop app (the signed .dmg from a GitHub release).
# version and sha256 are filled in by packaging/release.py; do not edit them by hand.
cask "codeface" do
  version "0.1.0"
  sha256 :no_check

  url "https://github.com/codeface-app/codeface/releases/download/v#{version}/CodeFace-#{version}.dmg"
  name "CodeFace"
  desc "Local-first AI coding assistant using Ollama with cloud fallback"
  homepage "https://github.com/codeface-app/codeface"

  livecheck do
    url :url
    strategy :github_latest
  end

  depends_on macos: ">= :monterey"

  app "CodeFace.app"
  binary "#{appdir}/CodeFace.app/Contents/MacOS/codeface"

  zap trash: [
    "~/Library/Application Support/codeface",
    "~/Library/Caches/codeface",
    "~/Library/Logs/codeface",
    "~/Library/Saved Application State/io.github.codeface.CodeFace.savedState",
  ]
end
