#include "memlab/io/hdf5_trace.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <hdf5.h>

#include "memlab/error.hpp"
#include "memlab/io/table.hpp"
#include "memlab/units/units.hpp"

namespace memlab::io {
namespace {

// HDF5 dataset names may not contain '/'; '.' and parentheses are fine.
std::string dataset_name(const std::string& channel) {
    std::string s = channel;
    for (auto& ch : s)
        if (ch == '/') ch = '_';
    return s;
}

void write_string_attribute(hid_t obj, const char* name, const std::string& value) {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, value.size() + 1);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, type, value.c_str());
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
}

// Before the library's first use: no exit handler. HDF5 1.10's handler closes every file still
// open, and a file whose close failed (a full disk) stays in its tables and crashes it (SIGSEGV in
// H5F__close_cb at exit). memlab closes every file it writes itself.
void init_library() {
    static const bool once = [] {
        H5dont_atexit();
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported by us, in one line
        return true;
    }();
    (void)once;
}

}  // namespace

struct hdf5_trace::impl {
    std::string path, tmp_path, group;
    std::size_t chunk;
    hid_t file = -1, grp = -1;
    std::vector<hid_t> datasets;
    std::vector<std::vector<double>> buffers;
    std::vector<hsize_t> written;
    bool committed = false;
    double last_time = 0;  // the first channel (time) of the latest row given: for the error message
    std::size_t rows = 0;

    // A write that failed (disk full, quota, ulimit -f): one line with where the run had got to.
    [[noreturn]] void write_failed(const char* what) const {
        const int err = errno;
        throw write_error(fmt::format("{}: cannot write {}{} (a full disk, a quota or a file-size limit?) at t = {}, {} rows recorded",
                                      path, what, err ? fmt::format(": {}", std::strerror(err)) : "", units::format(last_time, "s"), rows));
    }

    void flush() {
        for (std::size_t k = 0; k < datasets.size(); ++k) {
            auto& buf = buffers[k];
            if (buf.empty()) continue;
            const hsize_t newsize = written[k] + buf.size();
            errno = 0;
            if (H5Dset_extent(datasets[k], &newsize) < 0) write_failed("the traces");
            const hid_t fspace = H5Dget_space(datasets[k]);
            const hsize_t start = written[k], count = buf.size();
            H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, nullptr, &count, nullptr);
            const hid_t mspace = H5Screate_simple(1, &count, nullptr);
            const herr_t st = H5Dwrite(datasets[k], H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, buf.data());
            H5Sclose(mspace);
            H5Sclose(fspace);
            if (st < 0) write_failed("the traces");
            written[k] = newsize;
            buf.clear();
        }
    }

    void close_group() {
        if (grp < 0) return;
        // The datasets and the group are closed whether or not the last rows could be written:
        // an HDF5 object left open after a failed write crashes the library's exit handler.
        std::exception_ptr failed;
        try {
            flush();
        } catch (const write_error&) {
            failed = std::current_exception();
        }
        bool ok = true;
        errno = 0;
        for (hid_t d : datasets) ok = H5Dclose(d) >= 0 && ok;  // writes the cached chunks
        datasets.clear();
        buffers.clear();
        written.clear();
        ok = H5Gclose(grp) >= 0 && ok;
        grp = -1;
        if (failed) std::rethrow_exception(failed);
        if (!ok) write_failed("the traces");
    }

    ~impl() {
        try {
            close_group();
        } catch (const write_error&) {
            // the run already failed or is unwinding; the temporary file goes below
        }
        if (file >= 0) H5Fclose(file);
        if (!committed) std::remove(tmp_path.c_str());
    }
};

hdf5_trace::hdf5_trace(std::string path, std::string group, std::size_t chunk_rows) : impl_(std::make_unique<impl>()) {
    init_library();
    impl_->path = std::move(path);
    impl_->tmp_path = impl_->path + ".partial";
    impl_->group = std::move(group);
    impl_->chunk = chunk_rows == 0 ? 4096 : chunk_rows;
    impl_->file = H5Fcreate(impl_->tmp_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (impl_->file < 0) throw write_error(fmt::format("{}: cannot create HDF5 file", impl_->path));
}

hdf5_trace::~hdf5_trace() = default;

void hdf5_trace::set_group(std::string group) {
    impl_->close_group();
    impl_->group = std::move(group);
}

void hdf5_trace::begin(const std::vector<channel>& channels) {
    auto& s = *impl_;
    if (s.grp >= 0) {
        if (channels.size() != s.datasets.size()) throw input_error("hdf5 trace: a continued run must record the same probes");
        return;
    }
    s.grp = H5Gcreate2(s.file, s.group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (s.grp < 0) throw input_error(fmt::format("{}: cannot create group '{}' (used twice?)", s.path, s.group));
    for (const auto& ch : channels) {
        const hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = s.chunk;
        const hid_t space = H5Screate_simple(1, &dims, &maxdims);
        const hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_chunk(plist, 1, &chunk);
        const hid_t ds = H5Dcreate2(s.grp, dataset_name(ch.name).c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, plist,
                                    H5P_DEFAULT);
        H5Pclose(plist);
        H5Sclose(space);
        if (ds < 0) throw input_error(fmt::format("{}: cannot create dataset '{}' (a duplicate probe?)", s.path, ch.name));
        write_string_attribute(ds, "unit", ch.unit);
        s.datasets.push_back(ds);
        s.buffers.emplace_back();
        s.buffers.back().reserve(s.chunk);
        s.written.push_back(0);
    }
}

void hdf5_trace::append(std::span<const double> row) {
    auto& s = *impl_;
    if (row.size() != s.datasets.size()) throw internal_error("hdf5 trace: row size differs from the channels");
    for (std::size_t k = 0; k < row.size(); ++k) s.buffers[k].push_back(row[k]);
    ++rows_;
    s.rows = rows_;
    if (!row.empty()) s.last_time = row[0];
    if (s.buffers[0].size() >= s.chunk) s.flush();
}

void hdf5_trace::finish() { impl_->flush(); }

void hdf5_trace::write_matrix(const std::string& group, const std::string& name, std::size_t rows, std::size_t cols,
                              std::span<const double> data, const std::string& unit, const std::vector<std::pair<std::string, double>>& numbers) {
    auto& s = *impl_;
    if (data.size() != rows * cols) throw internal_error("hdf5 matrix: data size differs from rows x cols");
    const hid_t g = H5Lexists(s.file, group.c_str(), H5P_DEFAULT) > 0 ? H5Gopen2(s.file, group.c_str(), H5P_DEFAULT)
                                                                      : H5Gcreate2(s.file, group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) throw input_error(fmt::format("{}: cannot create group '{}'", s.path, group));
    const hsize_t dims[2] = {rows, cols};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t ds = H5Dcreate2(g, dataset_name(name).c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(space);
    if (ds < 0) {
        H5Gclose(g);
        throw input_error(fmt::format("{}: cannot create dataset '{}/{}' (written twice?)", s.path, group, name));
    }
    const herr_t st = data.empty() ? 0 : H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data());
    write_string_attribute(ds, "unit", unit);
    for (const auto& [key, value] : numbers) {
        const hid_t sp = H5Screate(H5S_SCALAR);
        const hid_t attr = H5Acreate2(ds, key.c_str(), H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(attr, H5T_NATIVE_DOUBLE, &value);
        H5Aclose(attr);
        H5Sclose(sp);
    }
    H5Dclose(ds);
    H5Gclose(g);
    if (st < 0) throw input_error(fmt::format("{}: write failed (disk full?)", s.path));
}

void hdf5_trace::commit() {
    auto& s = *impl_;
    s.close_group();
    if (s.file >= 0) {
        errno = 0;
        const herr_t st = H5Fclose(s.file);
        s.file = -1;
        if (st < 0) s.write_failed("the file");
    }
    std::error_code ec;
    std::filesystem::rename(s.tmp_path, s.path, ec);
    if (ec) throw input_error(fmt::format("{}: cannot move the finished file into place: {}", s.path, ec.message()));
    s.committed = true;
}

namespace {

struct opened_dataset {
    hid_t file, ds;
    std::string name;  // group/dataset
};

// Opens `group`/`name` of an HDF5 file for reading; input_error naming the file if either is missing.
opened_dataset open_dataset(const std::string& path, const std::string& group, const std::string& name) {
    init_library();
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) throw input_error(fmt::format("{}: cannot open as HDF5", path));
    const std::string dsname = group + "/" + dataset_name(name);
    const hid_t ds = H5Dopen2(file, dsname.c_str(), H5P_DEFAULT);
    if (ds < 0) {
        H5Fclose(file);
        throw input_error(fmt::format("{}: no dataset '{}'", path, dsname));
    }
    return {file, ds, dsname};
}

}  // namespace

std::vector<double> read_hdf5_channel(const std::string& path, const std::string& group, const std::string& name) {
    const auto [file, ds, dsname] = open_dataset(path, group, name);
    const hid_t space = H5Dget_space(ds);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space, &n, nullptr);
    std::vector<double> out(n);
    if (n > 0) H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
    H5Sclose(space);
    H5Dclose(ds);
    H5Fclose(file);
    return out;
}

void write_hdf5(const table& t, const std::filesystem::path& path, const std::string& group) {
    init_library();
    const std::string tmp = path.string() + ".partial";
    // No modification times in object headers: the same table gives the same bytes.
    const hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(gcpl, false);
    H5Pset_obj_track_times(dcpl, false);
    const hid_t file = H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t grp = file < 0 ? -1 : H5Gcreate2(file, group.c_str(), H5P_DEFAULT, gcpl, H5P_DEFAULT);
    bool ok = grp >= 0;
    std::string names;
    for (const auto& col : t.columns) {
        if (!ok) break;
        names += (names.empty() ? "" : ",") + col.name;
        const hsize_t n = col.text ? col.texts.size() : col.numbers.size();
        const hid_t space = H5Screate_simple(1, &n, nullptr);
        if (col.text) {
            std::size_t width = 1;
            for (const auto& s2 : col.texts) width = std::max(width, s2.size());
            std::string buf(width * col.texts.size(), '\0');
            for (std::size_t r = 0; r < col.texts.size(); ++r) buf.replace(r * width, col.texts[r].size(), col.texts[r]);
            const hid_t type = H5Tcopy(H5T_C_S1);
            H5Tset_size(type, width);
            H5Tset_strpad(type, H5T_STR_NULLPAD);
            const hid_t ds = H5Dcreate2(grp, dataset_name(col.name).c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
            ok = ds >= 0 && (n == 0 || H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) >= 0);
            if (ds >= 0) H5Dclose(ds);
            H5Tclose(type);
        } else {
            const hid_t ds = H5Dcreate2(grp, dataset_name(col.name).c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
            ok = ds >= 0 && (n == 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, col.numbers.data()) >= 0);
            if (ds >= 0) {
                write_string_attribute(ds, "unit", col.unit);
                H5Dclose(ds);
            }
        }
        H5Sclose(space);
    }
    if (ok) write_string_attribute(grp, "columns", names);
    if (grp >= 0) H5Gclose(grp);
    if (file >= 0) H5Fclose(file);
    H5Pclose(gcpl);
    H5Pclose(dcpl);
    if (!ok) {
        std::remove(tmp.c_str());
        throw input_error(fmt::format("{}: cannot write the HDF5 table (disk full, or a column name twice?)", path.string()));
    }
    std::filesystem::rename(tmp, path);
}

namespace {

std::string read_string_attribute(hid_t obj, const char* name) {
    if (H5Aexists(obj, name) <= 0) return "";
    const hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
    const hid_t type = H5Aget_type(attr);
    std::string out;
    if (H5Tget_class(type) == H5T_STRING && !H5Tis_variable_str(type)) {
        std::string buf(H5Tget_size(type), '\0');
        const hid_t mem = H5Tcopy(type);
        if (H5Aread(attr, mem, buf.data()) >= 0) out = buf.c_str();
        H5Tclose(mem);
    } else if (H5Tget_class(type) == H5T_STRING) {
        char* s = nullptr;
        const hid_t mem = H5Tcopy(type);
        if (H5Aread(attr, mem, &s) >= 0 && s) {
            out = s;
            H5free_memory(s);
        }
        H5Tclose(mem);
    }
    H5Tclose(type);
    H5Aclose(attr);
    return out;
}

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* data) {
    static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
}

}  // namespace

table read_hdf5_group(const std::filesystem::path& path, const std::string& group) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) throw input_error(fmt::format("{}: cannot open as HDF5", path.string()));
    const hid_t grp = H5Gopen2(file, group.empty() ? "/" : group.c_str(), H5P_DEFAULT);
    if (grp < 0) {
        H5Fclose(file);
        throw input_error(fmt::format("{}: no group '{}'", path.string(), group));
    }
    std::vector<std::string> names;
    H5Literate(grp, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr, collect_name, &names);
    if (names.empty()) H5Literate(grp, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names);
    table t;
    for (const auto& n : names) {
        const hid_t ds = H5Dopen2(grp, n.c_str(), H5P_DEFAULT);
        if (ds < 0) continue;  // a subgroup
        const hid_t space = H5Dget_space(ds), type = H5Dget_type(ds);
        if (H5Sget_simple_extent_ndims(space) == 1 && H5Tget_class(type) == H5T_FLOAT) {
            hsize_t rows = 0;
            H5Sget_simple_extent_dims(space, &rows, nullptr);
            table_column c{n, read_string_attribute(ds, "unit"), false, std::vector<double>(rows), {}};
            if (rows > 0) H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, c.numbers.data());
            t.columns.push_back(std::move(c));
        }
        H5Tclose(type);
        H5Sclose(space);
        H5Dclose(ds);
    }
    H5Gclose(grp);
    H5Fclose(file);
    return t;
}

std::vector<double> read_hdf5_matrix(const std::string& path, const std::string& group, const std::string& name, std::size_t& rows,
                                     std::size_t& cols) {
    const auto [file, ds, dsname] = open_dataset(path, group, name);
    const hid_t space = H5Dget_space(ds);
    hsize_t dims[2] = {0, 0};
    const int rank = H5Sget_simple_extent_ndims(space);
    H5Sget_simple_extent_dims(space, dims, nullptr);
    std::vector<double> out;
    if (rank == 2) {
        rows = dims[0], cols = dims[1];
        out.resize(rows * cols);
        if (!out.empty()) H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
    }
    H5Sclose(space);
    H5Dclose(ds);
    H5Fclose(file);
    if (rank != 2) throw input_error(fmt::format("{}: '{}' is not a 2-D dataset", path, dsname));
    return out;
}

}  // namespace memlab::io
