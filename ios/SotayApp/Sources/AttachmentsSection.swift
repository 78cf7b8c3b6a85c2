// The files of a mediation case: listed, shown on the phone (photos, and PDFs in QuickLook from a
// temporary file removed when it closes), attached from Photos or Files.
import PhotosUI
import QuickLook
import SotayAppModel
import SotayCore
import SwiftUI
import UniformTypeIdentifiers

struct AttachmentsSection: View {
    let store: Store
    let recordId: String
    @Environment(AppState.self) private var app
    @State private var model: AttachmentsModel?
    @State private var photo: PhotosPickerItem?
    @State private var importing = false
    @State private var preview: URL?

    var body: some View {
        let lang = app.lang
        Section(words(lang, "Tệp đính kèm", "Attachments")) {
            if let model {
                ForEach(model.lines) { line in
                    Button { open(line, model) } label: {
                        VStack(alignment: .leading) {
                            Text(line.name).font(.headline)
                            Text(line.onPhone ? line.size : "\(line.size) · " + words(lang, "chưa tải về (cần Wi-Fi)", "not downloaded yet (needs Wi-Fi)"))
                                .font(.subheadline).foregroundStyle(.secondary)
                        }
                        .frame(minHeight: 44)
                    }
                    .disabled(!line.onPhone)
                }
                PhotosPicker(selection: $photo, matching: .images) { Label(words(lang, "Đính kèm ảnh", "Attach a photo"), systemImage: "photo") }
                Button { importing = true } label: { Label(words(lang, "Đính kèm tệp PDF", "Attach a PDF"), systemImage: "doc") }
                if let problem = model.problem { Text(problem).foregroundStyle(.red) }
            }
        }
        .task { if model == nil { model = AttachmentsModel(store: store, recordId: recordId, lang: app.lang) } }
        .onChange(of: photo) { _, item in
            guard let item else { return }
            Task {
                // Photos may be HEIC: the record takes JPEG.
                if let data = try? await item.loadTransferable(type: Data.self), let jpeg = UIImage(data: data)?.jpegData(compressionQuality: 0.8) {
                    model?.attach(name: "Ảnh \(Date().formatted(.iso8601.year().month().day())).jpg", mediaType: "image/jpeg", data: jpeg)
                }
                photo = nil
            }
        }
        .fileImporter(isPresented: $importing, allowedContentTypes: [.pdf, .jpeg, .png]) { result in
            guard case let .success(url) = result, url.startAccessingSecurityScopedResource() else { return }
            defer { url.stopAccessingSecurityScopedResource() }
            let type = UTType(filenameExtension: url.pathExtension)?.preferredMIMEType ?? ""
            if let data = try? Data(contentsOf: url) { model?.attach(name: url.lastPathComponent, mediaType: type, data: data) }
        }
        .quickLookPreview($preview)
        .onChange(of: preview) { old, now in
            // The decrypted copy lives only while it is shown.
            if now == nil, let old { try? FileManager.default.removeItem(at: old) }
        }
    }

    private func open(_ line: AttachmentLine, _ model: AttachmentsModel) {
        guard let data = model.open(line) else { return }
        // Named by its hash, not by the name someone typed (which could hold a path).
        let ext = ["application/pdf": "pdf", "image/png": "png"][line.mediaType] ?? "jpg"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(line.sha256).appendingPathExtension(ext)
        do {
            try data.write(to: url, options: [.atomic, .completeFileProtection])
            preview = url
        } catch {}
    }
}
