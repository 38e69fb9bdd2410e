; Inno Setup script: one setup .exe (no disk spanning) for the PyInstaller one-folder bundle.
; Start-menu entry, optional desktop icon, uninstaller (Apps & features), per-user or all-users.
;
;   pyinstaller --noconfirm packaging\pyinstaller\qwenasr-desktop.spec
;   iscc /DAppVersion=0.1.0 packaging\windows\qwenasr-desktop.iss
;
; Output: dist\qwenasr-desktop-<version>-windows-x64-setup.exe

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "QwenASR Desktop"
#define AppExe "qwenasr-desktop.exe"
#define BundleDir "..\..\dist\qwenasr-desktop"

[Setup]
AppId={{6F4B3C2A-9D1E-4B7A-8C55-2E0F3A9D7B61}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=QwenASR Desktop developers
DefaultDirName={autopf}\QwenASR Desktop
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=qwenasr-desktop-{#AppVersion}-windows-x64-setup
SetupIconFile=qwenasr-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
; One file: never split into disk slices.
DiskSpanning=no
WizardStyle=modern
CloseApplications=yes
MinVersion=10.0

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only the program folder; the user's lists, sessions and logs (in %LOCALAPPDATA%) stay.
Type: filesandordirs; Name: "{app}"
