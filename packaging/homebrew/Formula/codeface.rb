# Homebrew formula: CodeFace as a Python package in its own virtualenv, the Homebrew way.
# The url/sha256 of the source archive are filled in by packaging/release.py. The Python
# dependencies below come from `brew update-python-resources codeface`, which the release
# script runs when brew is available; PySide6 comes from Homebrew's own `pyside` formula.
class Codeface < Formula
  include Language::Python::Virtualenv

  desc "Local-first AI coding assistant using Ollama with cloud fallback"
  homepage "https://github.com/codeface-app/codeface"
  url "https://github.com/codeface-app/codeface/releases/download/v0.1.0/codeface-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license "MIT"

  depends_on "pyside"
  depends_on "python@3.13"

  def install
    virtualenv_install_with_resources
  end

  def caveats
    <<~EOS
      CodeFace runs local models through Ollama. Install and start it with:
        brew install ollama && brew services start ollama
      Open the app with `codeface`; `codeface doctor` checks your setup.
    EOS
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/codeface --version")
  end
end
