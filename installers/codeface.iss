; Inno Setup script for CodeFace on Windows: a per-user install (no administrator rights).
; Build the bundle first (python packaging\build.py), then:
;   iscc /DAppVersion=0.1.0 installers\codeface.iss
; packaging/release.py stamps AppVersion below and passes it on the command line too.
; Output: dist\CodeFace-<version>-Setup.exe

#ifndef AppVersion
#define AppVersion "0.1.0"
#endif
#define AppName "CodeFace"
#define AppExeName "codeface.exe"
#define AppPublisher "CodeFace developers"
#define AppURL "https://github.com/codeface-app/codeface"

[Setup]
AppId={{6E2F1B8C-3C1D-4B7A-9F4E-C0DEFACE0001}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
AppPublisherURL={#AppURL}
AppSupportURL={#AppURL}/issues
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile=..\resources\icons\codeface.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName} {#AppVersion}
Uninstallable=yes
OutputDir=..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-Setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\dist\codeface\{#AppExeName}"; DestDir: "{app}"; Flags: ignoreversion
Source: "..\dist\codeface\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Comment: "Local-first AI coding assistant"
Name: "{autoprograms}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"
