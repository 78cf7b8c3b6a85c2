// First run: scan the administrator's QR code (or type the code and the server's address);
// the role and unit come from the server.
import SotayAppModel
import SotayCore
import SwiftUI
import UIKit
import VisionKit

struct EnrollView: View {
    @Environment(AppState.self) private var app
    @State private var model: EnrollmentModel?
    @State private var scanning = false

    var body: some View {
        let lang = app.lang
        ScrollView {
            VStack(alignment: .leading, spacing: 16) {
                Text(words(lang, "Đăng ký thiết bị", "Enroll this phone")).font(.largeTitle.bold())
                Text(words(lang, "Quét mã QR hoặc nhập mã do quản trị viên cấp.", "Scan the QR code or type the code your administrator gave you."))
                if let model {
                    @Bindable var form = model
                    if QRScannerView.available {
                        BigButton(title: words(lang, "Quét mã QR", "Scan the QR code")) { scanning = true }
                    }
                    TextField(words(lang, "Mã đăng ký", "Enrollment code"), text: $form.typedCode)
                        .textInputAutocapitalization(.characters).textFieldStyle(.roundedBorder)
                    TextField(words(lang, "Địa chỉ máy chủ", "Server address"), text: $form.typedServer)
                        .keyboardType(.URL).textInputAutocapitalization(.never).textFieldStyle(.roundedBorder)
                    if let problem = model.problem { Text(problem).foregroundStyle(.red) }
                    BigButton(title: model.busy ? words(lang, "Đang đăng ký…", "Enrolling…") : words(lang, "Đăng ký", "Enroll")) {
                        enroll(scanned: nil)
                    }
                    .disabled(model.busy)
                }
            }
            .padding()
        }
        .task { if model == nil { model = EnrollmentModel(vault: app.vault, storePath: AppState.storePath, lang: app.lang) } }
        .sheet(isPresented: $scanning) {
            QRScannerView { payload in
                scanning = false
                enroll(scanned: payload)
            }
            .ignoresSafeArea()
        }
    }

    private func enroll(scanned: String?) {
        guard let model else { return }
        Task {
            if let store = await model.enroll(scanned: scanned, deviceName: UIDevice.current.name) {
                app.enrolled(store)
            }
        }
    }
}

/// The camera reading QR codes on the device (VisionKit's DataScannerViewController); reports the
/// first one that is an enrollment code.
struct QRScannerView: UIViewControllerRepresentable {
    let found: (String) -> Void

    @MainActor static var available: Bool {
        DataScannerViewController.isSupported && DataScannerViewController.isAvailable
    }

    func makeUIViewController(context: Context) -> DataScannerViewController {
        let scanner = DataScannerViewController(recognizedDataTypes: [.barcode(symbologies: [.qr])], qualityLevel: .balanced,
                                                isHighlightingEnabled: true)
        scanner.delegate = context.coordinator
        // After the view is in its window: starting before fails silently on some devices.
        DispatchQueue.main.async { try? scanner.startScanning() }
        return scanner
    }

    func updateUIViewController(_ controller: DataScannerViewController, context: Context) {
        if !controller.isScanning, controller.view.window != nil { try? controller.startScanning() }
    }

    static func dismantleUIViewController(_ controller: DataScannerViewController, coordinator: Coordinator) {
        controller.stopScanning()
    }

    func makeCoordinator() -> Coordinator { Coordinator(found: found) }

    final class Coordinator: NSObject, DataScannerViewControllerDelegate {
        private let found: (String) -> Void
        private var done = false
        init(found: @escaping (String) -> Void) { self.found = found }

        func dataScanner(_ scanner: DataScannerViewController, didAdd items: [RecognizedItem], allItems: [RecognizedItem]) {
            for case let .barcode(code) in items {
                guard !done, let payload = code.payloadStringValue, parseEnrollmentCode(text: payload) != nil else { continue }
                done = true
                found(payload)
            }
        }
    }
}
